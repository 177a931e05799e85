/// Tiles images (all the same size) into a grid, row by row, with `spacing` pixels of `background`.
public func imageGrid(_ images: [RGBImage], columns: Int? = nil, spacing: Int = 2,
                      background: (UInt8, UInt8, UInt8) = (255, 255, 255)) -> RGBImage {
    guard let first = images.first else { return RGBImage(width: 1, height: 1, fill: background) }
    let columnCount = max(1, min(columns ?? Int(Double(images.count).squareRoot().rounded(.up)), images.count))
    let rowCount = (images.count + columnCount - 1) / columnCount
    let width = columnCount * first.width + (columnCount - 1) * spacing
    let height = rowCount * first.height + (rowCount - 1) * spacing
    var grid = RGBImage(width: width, height: height, fill: background)
    for (index, image) in images.enumerated() {
        let originX = (index % columnCount) * (first.width + spacing)
        let originY = (index / columnCount) * (first.height + spacing)
        for y in 0..<min(image.height, first.height) {
            let source = y * image.width * 3
            let target = ((originY + y) * width + originX) * 3
            grid.pixels.replaceSubrange(target..<(target + min(image.width, first.width) * 3),
                                        with: image.pixels[source..<(source + min(image.width, first.width) * 3)])
        }
    }
    return grid
}
