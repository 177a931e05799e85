/// GIF's variable-width LZW compression of palette indices (GIF89a spec, appendix F): codes start
/// at minimumCodeSize + 1 bits and grow to 12; when the table is full a clear code starts afresh.
/// Codes are packed least-significant bit first.
enum GIFLZW {
    static func compress(_ indices: [UInt8], minimumCodeSize: Int = 8) -> [UInt8] {
        let clearCode = 1 << minimumCodeSize, endCode = clearCode + 1
        var output: [UInt8] = []
        var bitBuffer = 0, bitCount = 0
        var codeSize = minimumCodeSize + 1
        func emit(_ code: Int) {
            bitBuffer |= code << bitCount
            bitCount += codeSize
            while bitCount >= 8 {
                output.append(UInt8(bitBuffer & 0xFF))
                bitBuffer >>= 8
                bitCount -= 8
            }
        }
        // table[prefix << 8 | byte] = code + 1 (0 = absent); prefixes are codes < 4096.
        var table = [Int16](repeating: 0, count: 4096 * 256)
        var used: [Int] = []
        var nextCode = endCode + 1
        func reset() {
            for slot in used { table[slot] = 0 }
            used.removeAll(keepingCapacity: true)
            nextCode = endCode + 1
            codeSize = minimumCodeSize + 1
        }
        emit(clearCode)
        guard var prefix = indices.first.map(Int.init) else {
            emit(endCode)
            if bitCount > 0 { output.append(UInt8(bitBuffer & 0xFF)) }
            return output
        }
        for byte in indices.dropFirst() {
            let slot = prefix << 8 | Int(byte)
            let existing = Int(table[slot])
            if existing > 0 {
                prefix = existing - 1
                continue
            }
            emit(prefix)
            if nextCode < 4096 {
                table[slot] = Int16(nextCode + 1)
                used.append(slot)
                // The decoder widens its codes once the next code no longer fits.
                if nextCode == 1 << codeSize && codeSize < 12 { codeSize += 1 }
                nextCode += 1
            } else {
                emit(clearCode)
                reset()
            }
            prefix = Int(byte)
        }
        emit(prefix)
        emit(endCode)
        if bitCount > 0 { output.append(UInt8(bitBuffer & 0xFF)) }
        return output
    }
}
