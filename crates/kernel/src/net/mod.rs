//! What sockets need beyond the file object (crate::fs::socket): the instance's unix names
//! and their host forms, and control messages.

pub mod addr;
pub mod cmsg;
