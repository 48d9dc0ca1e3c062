import HDL

extension ModuleBuilder {
    /// Marks bits that are computed but deliberately not used (the high bits of a wide address
    /// computation): a reduction into a signal named `unused_<name>`, which Verilator's lint
    /// does not report, so a real unused signal still is.
    func markUnused(_ name: String, _ exprs: [Expr]) {
        let sink = logic("unused_\(name)")
        assign(sink, Expr.concat(exprs).anySet)
    }
}
