extension RGBImage {
    /// Bilinear resampling to width × height (pixel centres aligned, edges clamped): for showing
    /// 64-pixel toy renders at a size a person can look at.
    public func resized(width newWidth: Int, height newHeight: Int) -> RGBImage {
        precondition(newWidth > 0 && newHeight > 0, "resized image needs a positive size")
        var output = [UInt8](repeating: 0, count: newWidth * newHeight * 3)
        let scaleX = Float(width) / Float(newWidth), scaleY = Float(height) / Float(newHeight)
        for y in 0..<newHeight {
            let sourceY = min(max((Float(y) + 0.5) * scaleY - 0.5, 0), Float(height - 1))
            let y0 = Int(sourceY), y1 = min(y0 + 1, height - 1), fy = sourceY - Float(y0)
            for x in 0..<newWidth {
                let sourceX = min(max((Float(x) + 0.5) * scaleX - 0.5, 0), Float(width - 1))
                let x0 = Int(sourceX), x1 = min(x0 + 1, width - 1), fx = sourceX - Float(x0)
                for channel in 0..<3 {
                    func value(_ px: Int, _ py: Int) -> Float { Float(pixels[(py * width + px) * 3 + channel]) }
                    let top = value(x0, y0) * (1 - fx) + value(x1, y0) * fx
                    let bottom = value(x0, y1) * (1 - fx) + value(x1, y1) * fx
                    output[(y * newWidth + x) * 3 + channel] = UInt8(min(max((top * (1 - fy) + bottom * fy).rounded(), 0), 255))
                }
            }
        }
        return RGBImage(width: newWidth, height: newHeight, pixels: output)
    }
}
