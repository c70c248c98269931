//! The functions the page calls, over two byte buffers this module owns.
//!
//! To make a call the page asks for an input buffer of the request's length
//! ([`esafety_input`], which returns where it is in the module's memory),
//! writes the request's UTF-8 bytes there, and calls an operation
//! ([`esafety_load`], [`esafety_decide`]); the reply is JSON, found with
//! [`esafety_output_ptr`] and [`esafety_output_len`]. No pointer from the
//! page is ever read as memory by this module, so nothing here needs
//! `unsafe` but the names under which the functions are exported.
//!
//! A hand-written ABI rather than `wasm-bindgen`: the build needs only the
//! `wasm32-unknown-unknown` target, not a second command-line tool whose
//! version must match a crate's (see `docs/architecture.md`).

#![allow(unsafe_code)]

use std::cell::RefCell;

use esafety::Policy;

thread_local! {
    static INPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static OUTPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static POLICY: RefCell<Option<Policy>> = const { RefCell::new(None) };
}

/// Makes the input buffer `len` bytes long and returns where it starts.
#[unsafe(no_mangle)]
pub extern "C" fn esafety_input(len: u32) -> *mut u8 {
    INPUT.with(|input| {
        let mut input = input.borrow_mut();
        input.clear();
        input.resize(len as usize, 0);
        input.as_mut_ptr()
    })
}

/// Where the last reply starts.
#[unsafe(no_mangle)]
pub extern "C" fn esafety_output_ptr() -> *const u8 {
    OUTPUT.with(|output| output.borrow().as_ptr())
}

/// How long the last reply is, in bytes.
#[unsafe(no_mangle)]
pub extern "C" fn esafety_output_len() -> u32 {
    OUTPUT.with(|output| u32::try_from(output.borrow().len()).unwrap_or(0))
}

fn input_text() -> String {
    INPUT.with(|input| String::from_utf8_lossy(&input.borrow()).into_owned())
}

fn reply(json: String) {
    OUTPUT.with(|output| *output.borrow_mut() = json.into_bytes());
}

/// Loads the policy the input holds (a [`crate::LoadRequest`] as JSON);
/// the reply is a [`crate::Loaded`]. Returns 1 if it loaded, 0 if not.
#[unsafe(no_mangle)]
pub extern "C" fn esafety_load() -> u32 {
    let request = match serde_json::from_str::<crate::LoadRequest>(&input_text()) {
        Ok(request) => request,
        Err(e) => {
            reply(error_json(&format!("the page's request is not valid: {e}")));
            return 0;
        }
    };
    let loaded = POLICY.with(|policy| crate::load(&request, &mut policy.borrow_mut()));
    let ok = loaded.ok;
    reply(serde_json::to_string(&loaded).unwrap_or_else(|e| error_json(&e.to_string())));
    u32::from(ok)
}

/// Answers the question the input holds (a query as JSON); the reply is a
/// [`crate::Reply`]. Returns 1 for a decision, 0 for an error.
#[unsafe(no_mangle)]
pub extern "C" fn esafety_decide() -> u32 {
    let query = input_text();
    let answer = POLICY.with(|policy| crate::decide(&query, policy.borrow().as_ref()));
    let ok = matches!(answer, crate::Reply::Decision(_));
    reply(serde_json::to_string(&answer).unwrap_or_else(|e| error_json(&e.to_string())));
    u32::from(ok)
}

fn error_json(message: &str) -> String {
    serde_json::json!({ "error": message }).to_string()
}
