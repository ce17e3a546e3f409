//! A stand-in for a template engine's environment.

use std::borrow::Cow;

use bccache::Environment;

/// An engine whose fingerprint names its version, as a real engine's would.
pub struct Engine(pub &'static str);

impl Environment for Engine {
    fn fingerprint(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(self.0.as_bytes())
    }
}

/// A compiler that "compiles" a source to its upper case, for loader tests.
pub struct Upper;

impl Environment for Upper {
    fn fingerprint(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(b"upper 1")
    }
}

impl bccache::Compiler for Upper {
    type Source = str;
    type Code = String;
    type Error = std::convert::Infallible;

    fn compile(&self, _: &str, _: Option<&str>, source: &str) -> Result<String, Self::Error> {
        Ok(source.to_uppercase())
    }

    fn to_bytecode(&self, code: &String) -> Vec<u8> {
        code.clone().into_bytes()
    }

    unsafe fn from_bytecode(&self, bytecode: &[u8]) -> Option<String> {
        String::from_utf8(bytecode.to_vec()).ok()
    }
}
