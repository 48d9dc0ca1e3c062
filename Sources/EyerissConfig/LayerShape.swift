/// The shape of one convolutional (CONV) layer: what the accelerator is asked to compute.
///
/// Names follow the Eyeriss papers (Chen et al., ISCA 2016 / JSSC 2017): a batch of `n`
/// ifmaps of `c` channels, each `h` x `w`, convolved with `m` filters of `c / groups`
/// channels, each `r` x `s`, giving `n` ofmaps of `m` channels, each `e` x `f`. An FC layer
/// is a CONV layer with `h == r`, `w == s` (so `e == f == 1`).
///
/// `groups` splits the channels as in the original AlexNet: group `g` convolves input channels
/// `g * c/groups ..< (g+1) * c/groups` into output channels `g * m/groups ..< (g+1) * m/groups`.
///
/// This is plain data, like `AcceleratorConfig`: nothing in it is trusted until `validated()`
/// has checked it, and the derived sizes assume a valid shape.
public struct LayerShape: Codable, Equatable, Sendable {
    /// A name for messages and reports, e.g. "alexnet.conv1".
    public var name: String
    /// Batch size: ifmaps (images) processed together.
    public var n: Int
    /// Input channels.
    public var c: Int
    /// Input height, before padding.
    public var h: Int
    /// Input width, before padding.
    public var w: Int
    /// Output channels (filters).
    public var m: Int
    /// Filter height.
    public var r: Int
    /// Filter width.
    public var s: Int
    /// Stride, the same in both dimensions.
    public var stride: Int
    /// Zero padding added on each side, the same in both dimensions.
    public var padding: Int
    /// Channel groups; `c` and `m` are both multiples of it. 1 is an ordinary convolution.
    public var groups: Int

    public init(name: String, n: Int, c: Int, h: Int, w: Int, m: Int, r: Int, s: Int,
                stride: Int, padding: Int, groups: Int = 1) {
        self.name = name
        self.n = n
        self.c = c
        self.h = h
        self.w = w
        self.m = m
        self.r = r
        self.s = s
        self.stride = stride
        self.padding = padding
        self.groups = groups
    }

    // MARK: - Derived sizes (valid shapes only)

    /// Input height with the zero padding on both sides.
    public var paddedH: Int { h + 2 * padding }
    /// Input width with the zero padding on both sides.
    public var paddedW: Int { w + 2 * padding }
    /// Output height: the number of filter positions down the padded input.
    public var e: Int { (paddedH - r) / stride + 1 }
    /// Output width: the number of filter positions across the padded input.
    public var f: Int { (paddedW - s) / stride + 1 }
    /// Input channels each filter sees: `c / groups`.
    public var channelsPerGroup: Int { c / groups }
    /// Filters (output channels) in each group: `m / groups`.
    public var filtersPerGroup: Int { m / groups }
    /// Multiply-accumulates for the whole batch: `n * m * e * f * (c / groups) * r * s`.
    /// Counts every filter position, including those that fall on padding.
    public var macs: Int { n * m * e * f * channelsPerGroup * r * s }

    // MARK: - Validation

    /// Returns the shape unchanged if every rule holds; otherwise throws a `LayerShapeError`
    /// naming the layer, the field, its value and the first rule it broke.
    public func validated() throws -> LayerShape {
        func fail(_ field: String, _ value: some CustomStringConvertible, _ rule: String) -> LayerShapeError {
            LayerShapeError(layer: name, field: field, value: value.description, rule: rule)
        }
        if name.isEmpty { throw fail("name", "\"\"", "must not be empty") }
        for (field, value) in [("n", n), ("c", c), ("h", h), ("w", w), ("m", m), ("r", r), ("s", s)] where value < 1 {
            throw fail(field, value, "must be positive")
        }
        if stride < 1 { throw fail("stride", stride, "must be at least 1") }
        if padding < 0 { throw fail("padding", padding, "must not be negative") }
        if groups < 1 { throw fail("groups", groups, "must be positive") }
        if c % groups != 0 { throw fail("groups", groups, "must divide the input channels c = \(c)") }
        if m % groups != 0 { throw fail("groups", groups, "must divide the output channels m = \(m)") }
        if r > paddedH {
            throw fail("r", r, "filter height must not exceed the padded input height h + 2 * padding = \(paddedH)")
        }
        if s > paddedW {
            throw fail("s", s, "filter width must not exceed the padded input width w + 2 * padding = \(paddedW)")
        }
        return self
    }

    // MARK: - Codable

    private enum CodingKeys: String, CodingKey {
        case name, n, c, h, w, m, r, s, stride, padding, groups
    }

    /// Decodes a shape; `groups` may be left out and then means 1, so an ordinary layer need
    /// not spell it.
    public init(from decoder: Decoder) throws {
        let box = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try box.decode(String.self, forKey: .name),
            n: try box.decode(Int.self, forKey: .n),
            c: try box.decode(Int.self, forKey: .c),
            h: try box.decode(Int.self, forKey: .h),
            w: try box.decode(Int.self, forKey: .w),
            m: try box.decode(Int.self, forKey: .m),
            r: try box.decode(Int.self, forKey: .r),
            s: try box.decode(Int.self, forKey: .s),
            stride: try box.decode(Int.self, forKey: .stride),
            padding: try box.decode(Int.self, forKey: .padding),
            groups: try box.decodeIfPresent(Int.self, forKey: .groups) ?? 1
        )
    }
}

/// A layer-shape rule that a value broke: names the layer, the field, the value and the rule.
public struct LayerShapeError: Error, Equatable, CustomStringConvertible, Sendable {
    public let layer: String
    public let field: String
    public let value: String
    public let rule: String

    public init(layer: String, field: String, value: String, rule: String) {
        self.layer = layer
        self.field = field
        self.value = value
        self.rule = rule
    }

    public var description: String {
        "invalid layer \(layer.isEmpty ? "(unnamed)" : layer): \(field) = \(value): \(rule)"
    }
}

/// The CONV layers of the two networks the chip was measured on, exactly as listed in the
/// "Layer shapes" section of the project's Eyeriss reference (from Chen et al., JSSC 2017,
/// and the original networks). Batch size is 1: set `n` for a batched run.
public enum BuiltinLayers {
    /// AlexNet CONV1-CONV5 (227 x 227 x 3 input). CONV2, CONV4 and CONV5 are split into two
    /// groups, as in the original network. The 3 x 3 / stride-2 max pooling after CONV1,
    /// CONV2 and CONV5 is done off-chip, which is why CONV2 takes 27 x 27 and CONV3 13 x 13.
    public static let alexnet: [LayerShape] = [
        LayerShape(name: "alexnet.conv1", n: 1, c: 3, h: 227, w: 227, m: 96, r: 11, s: 11, stride: 4, padding: 0),
        LayerShape(name: "alexnet.conv2", n: 1, c: 96, h: 27, w: 27, m: 256, r: 5, s: 5, stride: 1, padding: 2, groups: 2),
        LayerShape(name: "alexnet.conv3", n: 1, c: 256, h: 13, w: 13, m: 384, r: 3, s: 3, stride: 1, padding: 1),
        LayerShape(name: "alexnet.conv4", n: 1, c: 384, h: 13, w: 13, m: 384, r: 3, s: 3, stride: 1, padding: 1, groups: 2),
        LayerShape(name: "alexnet.conv5", n: 1, c: 384, h: 13, w: 13, m: 256, r: 3, s: 3, stride: 1, padding: 1, groups: 2),
    ]

    /// VGG-16's 13 CONV layers (224 x 224 x 3 input): every one 3 x 3, stride 1, pad 1. The
    /// 2 x 2 / stride-2 max pooling after conv1_2, conv2_2, conv3_3, conv4_3 (off-chip) halves
    /// the size from one block to the next.
    public static let vgg16: [LayerShape] = {
        /// (block, input size, channels in of the block's first layer, channels out, layers).
        let blocks: [(block: Int, size: Int, cIn: Int, cOut: Int, layers: Int)] = [
            (1, 224, 3, 64, 2),
            (2, 112, 64, 128, 2),
            (3, 56, 128, 256, 3),
            (4, 28, 256, 512, 3),
            (5, 14, 512, 512, 3),
        ]
        return blocks.flatMap { b in
            (1...b.layers).map { i in
                LayerShape(name: "vgg16.conv\(b.block)_\(i)", n: 1, c: i == 1 ? b.cIn : b.cOut,
                           h: b.size, w: b.size, m: b.cOut, r: 3, s: 3, stride: 1, padding: 1)
            }
        }
    }()

    /// Every built-in layer, AlexNet first, in network order.
    public static var all: [LayerShape] { alexnet + vgg16 }

    /// The built-in layer with this exact name (e.g. "vgg16.conv3_2"), or nil.
    public static func named(_ name: String) -> LayerShape? {
        all.first { $0.name == name }
    }
}
