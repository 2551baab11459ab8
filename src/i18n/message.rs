//! A message kept as its catalogue id and values, worded only when shown: what a library
//! error, a note or a log line carries so that each language words it itself, while logs and
//! JSON keep the stable id and the English text.

use std::fmt;
use std::io;

use super::{Arg, Lang};

/// A catalogue message with its values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    key: &'static str,
    values: Vec<(&'static str, Value)>,
}

/// One value of a [`Message`].
#[derive(Clone, Debug, PartialEq, Eq)]
enum Value {
    /// Put in as it is: a file name, a byte offset, a version, a detail from the system.
    Text(String),
    /// A count: chooses the plural form and is written with grouped digits.
    Count(u64),
    /// Another message, worded in the same language (what a record was, why a file failed).
    Message(Box<Message>),
}

impl Message {
    pub fn new(key: &'static str) -> Message {
        Message {
            key,
            values: Vec::new(),
        }
    }

    /// The stable id, for programs (the JSON) and tests.
    pub fn key(&self) -> &'static str {
        self.key
    }

    /// With the value `name` put in as it is written (offsets and versions are not grouped).
    pub fn with(mut self, name: &'static str, value: impl fmt::Display) -> Message {
        self.values.push((name, Value::Text(value.to_string())));
        self
    }

    /// With the count `name`, which chooses the plural form.
    pub fn count(mut self, name: &'static str, n: u64) -> Message {
        self.values.push((name, Value::Count(n)));
        self
    }

    /// With the value `name` another message, worded in the same language.
    pub fn nested(mut self, name: &'static str, message: Message) -> Message {
        self.values.push((name, Value::Message(Box::new(message))));
        self
    }

    /// A text from elsewhere (the system, a library), shown as it is in every language.
    pub fn as_is(text: impl fmt::Display) -> Message {
        Message::new("as-is").with("text", text)
    }

    /// Why an operating-system call failed: a missing file and a refused permission in
    /// words of their own (they are what people hit), anything else with the system's text.
    pub fn io(e: &io::Error) -> Message {
        match e.kind() {
            io::ErrorKind::NotFound => Message::new("io-not-found"),
            io::ErrorKind::PermissionDenied => Message::new("io-permission"),
            io::ErrorKind::IsADirectory => Message::new("io-folder"),
            _ => Message::as_is(e),
        }
    }
}

/// Something a person reads, worded in each language; its `Display` is the English, for logs.
pub trait Localised: fmt::Display {
    fn text(&self, lang: Lang) -> String;
}

impl Localised for Message {
    fn text(&self, lang: Lang) -> String {
        let worded: Vec<(&str, Box<dyn Arg + '_>)> = self
            .values
            .iter()
            .map(|(name, value)| {
                let arg: Box<dyn Arg + '_> = match value {
                    Value::Text(s) => Box::new(s.as_str()),
                    Value::Count(n) => Box::new(*n),
                    Value::Message(m) => Box::new(m.text(lang)),
                };
                (*name, arg)
            })
            .collect();
        let values: Vec<(&str, &dyn Arg)> = worded.iter().map(|(n, a)| (*n, a.as_ref())).collect();
        lang.fill(self.key, &values)
    }
}

/// English, for logs and the JSON.
impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}
