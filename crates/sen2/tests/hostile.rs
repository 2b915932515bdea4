//! Issue 12: a hostile return. One huge text node is refused, naming its line, without being read
//! whole into memory.

use std::cell::Cell;
use std::io::Read;
use std::rc::Rc;

/// `prefix`, `fill` bytes of `a` made as they are read, then `suffix`; counts the bytes handed over.
struct Streamed {
    prefix: Vec<u8>,
    fill: u64,
    suffix: Vec<u8>,
    given: Rc<Cell<u64>>,
}

impl Read for Streamed {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = if !self.prefix.is_empty() {
            let n = self.prefix.len().min(buf.len());
            buf[..n].copy_from_slice(&self.prefix[..n]);
            self.prefix.drain(..n);
            n
        } else if self.fill > 0 {
            let n = self.fill.min(buf.len() as u64) as usize;
            buf[..n].fill(b'a');
            self.fill -= n as u64;
            n
        } else {
            let n = self.suffix.len().min(buf.len());
            buf[..n].copy_from_slice(&self.suffix[..n]);
            self.suffix.drain(..n);
            n
        };
        self.given.set(self.given.get() + n as u64);
        Ok(n)
    }
}

#[test]
fn a_200_mb_text_node_is_refused_naming_its_line_without_reading_it_all() {
    let given = Rc::new(Cell::new(0));
    let input = Streamed {
        prefix: b"<?xml version=\"1.0\"?>\n<Message>\n<Header>\n<CollectionDetails>\n<Collection>".to_vec(),
        fill: 200 << 20,
        suffix: b"</Collection></CollectionDetails></Header></Message>\n".to_vec(),
        given: given.clone(),
    };
    let v = waymark_sen2::validate(input, Some(2025));
    let fatal = v.findings.iter().find(|f| f.rule == "SEN2-S01").unwrap_or_else(|| panic!("{:?}", v.findings));
    assert_eq!(fatal.line, Some(5), "{fatal:?}");
    assert!(fatal.message.contains("longer than 1 MB"), "{}", fatal.message);
    assert!(given.get() < 4 << 20, "read {} bytes of 200 MB", given.get());
}

/// Found by `scripts/fuzz` (sen2-xml): a byte order mark inside a date made the date check slice
/// inside a character and panic. Every crash input the fuzzer saved is kept in
/// `fuzz/corpus/sen2-xml/` and replayed here.
#[test]
fn fuzz_regression_a_non_ascii_character_inside_a_date_is_a_finding_not_a_panic() {
    let xml = "<?xml version=\"1.0\"?>\n<Message><Header><CollectionDetails><Collection>SEN2</Collection><Year>2025</Year>\
               <ReferenceDate>2025-01-\u{feff}16</ReferenceDate><Year>2025-01-16-1\u{feff}6</Year></CollectionDetails><Source><DateTime>2025-01-16T09:0\u{feff}0:00</DateTime>\
               </Source></Header></Message>";
    let v = waymark_sen2::validate(xml.as_bytes(), None);
    assert!(v.findings.iter().any(|f| f.path.ends_with("ReferenceDate")), "{:?}", v.findings);
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/sen2-xml");
    for entry in std::fs::read_dir(corpus).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let _ = waymark_sen2::validate(bytes.as_slice(), None);
    }
}
