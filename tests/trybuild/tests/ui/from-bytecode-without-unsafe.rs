use bccache::Compiler;

// Bytes of the caller's choosing reach the engine: the call must be in an `unsafe` block.
fn decode<C: Compiler>(compiler: &C, bytes: &[u8]) -> Option<C::Code> {
    compiler.from_bytecode(bytes)
}

fn main() {}
