//! Widths of the PDF standard fonts Helvetica and Helvetica-Bold, and text in their encoding.
//!
//! The widths are those of Adobe's Core 14 AFM files (`Helvetica.afm`, `Helvetica-Bold.afm`, "may be
//! used, copied, and distributed for any purpose and without charge"), in thousandths of the font
//! size, for the printable ASCII characters under WinAnsiEncoding (where 39 is `quotesingle` and 96
//! is `grave`). Accented Latin letters take their base letter's width, which the AFM files give them
//! to within a few units; other characters take the font's widest common width, so a line is never
//! measured shorter than it is set.
//!
//! Text is set in WinAnsiEncoding (PDF 32000-1:2008, annex D): Latin-1 plus the typographic quotes,
//! dashes, bullet and euro sign at 0x80-0x9F. A character outside it is set as `?`; the DOCX, which
//! is Unicode, keeps it (ADR 0019).

/// The two faces the PDF uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    Regular,
    Bold,
}

#[rustfmt::skip]
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space .. /
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0 .. ?
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @ .. O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P .. _
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // ` .. o
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,      // p .. ~
];

#[rustfmt::skip]
const HELVETICA_BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, // space .. /
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, // 0 .. ?
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, // @ .. O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, // P .. _
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, // ` .. o
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,      // p .. ~
];

/// The character an accented Latin-1 letter is built on, for its width.
fn base_letter(c: char) -> Option<char> {
    Some(match c {
        'À'..='Å' => 'A',
        'Ç' => 'C',
        'È'..='Ë' => 'E',
        'Ì'..='Ï' => 'I',
        'Ð' => 'D',
        'Ñ' => 'N',
        'Ò'..='Ö' | 'Ø' => 'O',
        'Ù'..='Ü' => 'U',
        'Ý' | 'Ÿ' => 'Y',
        'Š' => 'S',
        'Ž' => 'Z',
        'à'..='å' => 'a',
        'ç' => 'c',
        'è'..='ë' => 'e',
        'ì'..='ï' => 'i',
        'ñ' => 'n',
        'ò'..='ö' | 'ø' => 'o',
        'ù'..='ü' => 'u',
        'ý' | 'ÿ' => 'y',
        'š' => 's',
        'ž' => 'z',
        _ => return None,
    })
}

/// The width of one character in thousandths of the font size.
pub fn char_width(face: Face, c: char) -> u16 {
    let table = match face {
        Face::Regular => &HELVETICA,
        Face::Bold => &HELVETICA_BOLD,
    };
    let c = base_letter(c).unwrap_or(c);
    match c {
        ' '..='~' => table[c as usize - 32],
        '\u{a0}' => table[0],
        '‘' | '’' | '‚' => 278,
        '“' | '”' | '„' => 500,
        '•' => 350,
        '–' | '€' | '£' | '¥' | '¢' => 556,
        '—' | '…' | '‰' | '™' | 'Æ' | 'Œ' => 1000,
        '°' => 400,
        _ => 1000,
    }
}

/// The width of `text` set in `face` at `size` points, in points.
pub fn width(face: Face, size: f32, text: &str) -> f32 {
    text.chars().map(|c| f32::from(char_width(face, c))).sum::<f32>() * size / 1000.0
}

/// `text` in WinAnsiEncoding; characters it lacks become `?`.
pub fn winansi(text: &str) -> Vec<u8> {
    text.chars().map(winansi_byte).collect()
}

fn winansi_byte(c: char) -> u8 {
    match c {
        ' '..='~' => c as u8,
        '\u{a0}'..='\u{ff}' => c as u32 as u8,
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => b'?',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_the_afm_files() {
        // Helvetica.afm: C 72 ; WX 722 ; N H and C 105 ; WX 222 ; N i; Helvetica-Bold.afm: C 105 ; WX 278.
        assert_eq!(char_width(Face::Regular, 'H'), 722);
        assert_eq!(char_width(Face::Regular, 'i'), 222);
        assert_eq!(char_width(Face::Bold, 'i'), 278);
        assert_eq!(char_width(Face::Regular, '~'), 584);
        assert!((width(Face::Regular, 10.0, "Hi") - 9.44).abs() < 1e-4);
        assert_eq!(char_width(Face::Regular, 'é'), char_width(Face::Regular, 'e'));
    }

    #[test]
    fn text_is_set_in_winansi_with_unknown_characters_as_question_marks() {
        assert_eq!(winansi("café – “ok” £5"), b"caf\xe9 \x96 \x93ok\x94 \xa35".to_vec());
        assert_eq!(winansi("Łódź"), b"?\xf3d?".to_vec());
    }
}
