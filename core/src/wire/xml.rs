//! WeChat's XML messages (payment PostData, complaints, alarms), read with
//! quick-xml: `<xml>` and its children, text and CDATA joined and trimmed.
//!
//! What an attacker could use is refused rather than interpreted: a DOCTYPE
//! (and so any entity beyond the five predefined ones), a body over
//! [`MAX_BYTES`], nesting deeper than WeChat's, and an element repeated where
//! WeChat sends one (two `<AppId>`s must not let the signature check read one
//! and the shop the other). Text bytes pass through as sent (UTF-8 or GBK).

use crate::error::{Error, Result};
use quick_xml::events::Event;
use quick_xml::Reader;
use std::collections::HashSet;

/// WeChat's messages are a few hundred bytes; a complaint with five picture
/// URLs stays far below this.
pub const MAX_BYTES: usize = 64 * 1024;

/// `<xml>` / `<PicInfo>` / `<item>` / `<PicUrl>` is the deepest WeChat goes.
const MAX_DEPTH: usize = 4;

/// The one element name that may repeat among siblings (`<PicInfo><item>`).
const REPEATABLE: &[u8] = b"item";

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    /// Text and CDATA of this element, joined, ASCII whitespace trimmed.
    pub text: Vec<u8>,
    pub children: Vec<Element>,
}

impl Element {
    /// The child called `name` (names are matched as WeChat writes them).
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The text of child `name`; a missing element is the caller's error.
    pub fn text_of(&self, name: &str) -> Result<&[u8]> {
        self.child(name)
            .map(|c| c.text.as_slice())
            .ok_or_else(|| bad(format!("the element <{name}> is missing")))
    }
}

fn bad(what: impl std::fmt::Display) -> Error {
    Error::invalid(format!("the XML body is not a WeChat message: {what}"))
}

/// Parses a message whose root element is `<xml>`.
pub fn parse(body: &[u8]) -> Result<Element> {
    if body.len() > MAX_BYTES {
        return Err(bad(format!(
            "it is {} bytes (at most {MAX_BYTES})",
            body.len()
        )));
    }
    let mut reader = Reader::from_reader(body);
    reader.config_mut().check_end_names = true;
    // Each open element with the names of its children so far: a repeated
    // name is found in constant time (a linear search made a 64 KiB body of
    // distinct siblings cost a thousand times a normal one).
    let mut open: Vec<(Element, HashSet<String>)> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let at = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| bad(format!("malformed at byte {at}: {e}")))?;
        match event {
            Event::Start(start) => {
                if root.is_some() {
                    return Err(bad("content after the root element"));
                }
                if open.len() == MAX_DEPTH {
                    return Err(bad(format!("nested deeper than {MAX_DEPTH} elements")));
                }
                let name = element_name(start.name().as_ref())?;
                if open.is_empty() && name != "xml" {
                    return Err(bad("the root element is not <xml>"));
                }
                open.push((
                    Element {
                        name,
                        ..Element::default()
                    },
                    HashSet::new(),
                ));
            }
            Event::Empty(start) => {
                if open.len() == MAX_DEPTH {
                    return Err(bad(format!("nested deeper than {MAX_DEPTH} elements")));
                }
                let name = element_name(start.name().as_ref())?;
                let Some((parent, names)) = open.last_mut() else {
                    return Err(bad(if name == "xml" {
                        "the <xml> element is empty".to_string()
                    } else {
                        "the root element is not <xml>".to_string()
                    }));
                };
                adopt(
                    parent,
                    names,
                    Element {
                        name,
                        ..Element::default()
                    },
                )?;
            }
            Event::End(_) => {
                // check_end_names has matched it with its start tag.
                let Some((mut done, _)) = open.pop() else {
                    return Err(bad("an end tag without a start tag"));
                };
                done.text = done.text.trim_ascii().to_vec();
                match open.last_mut() {
                    Some((parent, names)) => adopt(parent, names, done)?,
                    None => root = Some(done),
                }
            }
            Event::Text(text) => match open.last_mut() {
                Some((current, _)) => current.text.extend_from_slice(&unescape(&text)?),
                None if text.trim_ascii().is_empty() => {}
                None => return Err(bad("text outside the root element")),
            },
            Event::CData(data) => match open.last_mut() {
                Some((current, _)) => current.text.extend_from_slice(&data),
                None => return Err(bad("CDATA outside the root element")),
            },
            Event::DocType(_) => return Err(bad("a DOCTYPE is not accepted")),
            Event::Decl(_) | Event::Comment(_) => {}
            Event::PI(_) => return Err(bad("a processing instruction is not accepted")),
            Event::Eof => break,
        }
    }
    if !open.is_empty() {
        return Err(bad("it ends inside an element"));
    }
    root.ok_or_else(|| bad("there is no <xml> element"))
}

/// Adds `child` to `parent`, refusing a second element of the same name.
fn adopt(parent: &mut Element, names: &mut HashSet<String>, child: Element) -> Result<()> {
    if child.name.as_bytes() != REPEATABLE && !names.insert(child.name.clone()) {
        return Err(bad(format!("the element <{}> appears twice", child.name)));
    }
    parent.children.push(child);
    Ok(())
}

/// Element names are ASCII in WeChat's messages; anything else is refused
/// before it can reach a message.
fn element_name(raw: &[u8]) -> Result<String> {
    if raw.len() <= 64
        && raw
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(b))
    {
        Ok(String::from_utf8_lossy(raw).into_owned())
    } else {
        Err(bad("an element name is not plain ASCII"))
    }
}

/// Text with the five predefined entities and character references resolved
/// (quick-xml refuses any other); text without `&` passes through as bytes,
/// so GBK text is kept as sent.
fn unescape(raw: &[u8]) -> Result<Vec<u8>> {
    if !raw.contains(&b'&') {
        return Ok(raw.to_vec());
    }
    let text = std::str::from_utf8(raw).map_err(|_| bad("an entity in text that is not UTF-8"))?;
    quick_xml::escape::unescape(text)
        .map(|s| s.into_owned().into_bytes())
        .map_err(|e| bad(format!("an entity that is not accepted ({e})")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_cdata_trimmed_names_as_sent() {
        let doc = parse(
            b"<?xml version=\"1.0\"?>\n<xml>\n<OpenId><![CDATA[111222]]></OpenId>\n<TimeStamp> 1369743511</TimeStamp>\n<Amp>a &amp; b &#x4e2d;</Amp><Empty/><E></E><!-- c --></xml>\n",
        )
        .unwrap();
        assert_eq!(doc.text_of("OpenId").unwrap(), b"111222");
        assert_eq!(doc.text_of("TimeStamp").unwrap(), b"1369743511");
        assert_eq!(doc.text_of("Amp").unwrap(), "a & b 中".as_bytes());
        assert_eq!(doc.text_of("Empty").unwrap(), b"");
        assert_eq!(doc.text_of("E").unwrap(), b"");
        assert!(doc.child("openid").is_none(), "names are matched as sent");
        let e = doc.text_of("NonceStr").unwrap_err();
        assert_eq!(
            e.message(),
            "the XML body is not a WeChat message: the element <NonceStr> is missing"
        );
    }

    #[test]
    fn gbk_bytes_pass_through() {
        let body = b"<xml><Reason><![CDATA[\xc9\xcc\xc6\xb7]]></Reason><R2>\xb2\xe2</R2></xml>";
        let doc = parse(body).unwrap();
        assert_eq!(doc.text_of("Reason").unwrap(), b"\xc9\xcc\xc6\xb7");
        assert_eq!(doc.text_of("R2").unwrap(), b"\xb2\xe2");
    }

    #[test]
    fn nested_pictures() {
        let doc = parse(b"<xml><PicInfo><item><PicUrl><![CDATA[http://a/1]]></PicUrl></item><item><PicUrl></PicUrl></item></PicInfo></xml>").unwrap();
        let items = &doc.child("PicInfo").unwrap().children;
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].text_of("PicUrl").unwrap(), b"http://a/1");
    }

    #[test]
    fn refusals() {
        let refused = |body: &[u8], why: &str| {
            let e = parse(body).unwrap_err();
            assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
            assert!(e.message().contains(why), "{why}: {e}");
        };
        refused(
            b"<!DOCTYPE xml [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]><xml><A>&b;</A></xml>",
            "DOCTYPE",
        );
        refused(b"<xml><A>&foo;</A></xml>", "entity");
        refused(b"<xml><A>1</A><A>2</A></xml>", "<A> appears twice");
        refused(b"<xml><A>1</B></xml>", "malformed");
        refused(b"<xml><A>1</A>", "ends inside");
        refused(b"<root/>", "not <xml>");
        refused(b"<xml/>", "the <xml> element is empty");
        refused(b"<other></other>", "not <xml>");
        refused(b"<xml></xml><xml></xml>", "after the root");
        refused(b"junk<xml></xml>", "outside");
        refused(b"", "no <xml>");
        refused(b"<xml><a><b><c><d>1</d></c></b></a></xml>", "deeper");
        refused(b"<xml><a><b><c><d/></c></b></a></xml>", "deeper");
        refused(b"<xml><?php echo 1; ?></xml>", "processing instruction");
        let big = [
            b"<xml><A>".as_slice(),
            &vec![b'x'; MAX_BYTES],
            b"</A></xml>",
        ]
        .concat();
        refused(&big, "at most 65536");
    }

    /// Thousands of distinct siblings are all read (the duplicate check is
    /// a set, not a scan of the siblings: `make bench` prints the cost
    /// against repeated items; a timed bound does not belong here).
    #[test]
    fn many_distinct_siblings_are_all_read() {
        let mut b = b"<xml>".to_vec();
        let mut n = 0;
        while b.len() < MAX_BYTES - 100 {
            b.extend_from_slice(format!("<E{n}/>").as_bytes());
            n += 1;
        }
        b.extend_from_slice(b"</xml>");
        assert!(n > 7_000);
        assert_eq!(parse(&b).unwrap().children.len(), n);
        // And a name seen before among them is still a repeat.
        b.truncate(b.len() - b"</xml>".len());
        b.extend_from_slice(b"<E7/></xml>");
        assert!(
            parse(&b).unwrap_err().message().contains("E7"),
            "a repeated element"
        );
    }

    #[test]
    fn any_bytes_never_panic() {
        // A cheap sweep here; the fuzz target goes much further.
        let seed = b"<xml><A><![CDATA[x]]></A><B>&amp;</B><C/></xml>";
        for cut in 0..seed.len() {
            let _ = parse(&seed[..cut]);
            let mut flipped = seed.to_vec();
            flipped[cut] ^= 0x80;
            let _ = parse(&flipped);
        }
    }

    #[test]
    fn limits_are_exact_and_names_plain() {
        // A body of exactly MAX_BYTES is read; one byte more is refused.
        let head = b"<xml><A>";
        let tail = b"</A></xml>";
        let mut body = head.to_vec();
        body.resize(MAX_BYTES - tail.len(), b'x');
        body.extend_from_slice(tail);
        assert_eq!(body.len(), MAX_BYTES);
        assert!(parse(&body).is_ok());
        body.insert(head.len(), b'x');
        assert!(parse(&body)
            .unwrap_err()
            .message()
            .contains(&format!("at most {MAX_BYTES}")));
        // Names: 64 plain bytes at most, nothing else.
        let name = |n: &str| parse(format!("<xml><{n}>v</{n}></xml>").as_bytes());
        assert!(name(&"N".repeat(64)).is_ok());
        assert!(name(&"N".repeat(65)).is_err());
        assert!(name("Pic_Url-1.x").is_ok());
        assert!(name("名").is_err());
        assert!(name("a:b").is_err());
    }
}
