//! Normalising names for comparison, phonetic codes for blocking, and a small nickname table.
//! Personal data passes through these functions; nothing here logs.

/// A name folded for comparison: lower case, common Latin accents removed, and hyphens, apostrophes,
/// full stops and spaces dropped ("O'Neil-Smith" → "oneilsmith", "Zoë" → "zoe").
pub fn fold(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
            'ç' | 'č' | 'ć' => 'c',
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' => 'e',
            'ì' | 'í' | 'î' | 'ï' | 'ī' => 'i',
            'ñ' | 'ń' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
            'ù' | 'ú' | 'û' | 'ü' | 'ū' => 'u',
            'ý' | 'ÿ' => 'y',
            'š' | 'ś' => 's',
            'ž' | 'ź' | 'ż' => 'z',
            'ł' => 'l',
            other => other,
        };
        if c.is_alphanumeric() {
            out.push(c);
        }
    }
    out
}

/// The parts of a multi-part name ("Smith-Jones" → ["smith", "jones"]), folded.
pub fn parts(name: &str) -> Vec<String> {
    name.split(|c: char| c == '-' || c.is_whitespace()).map(fold).filter(|p| !p.is_empty()).collect()
}

/// American Soundex of a folded name (letters only); "" when it has no letters.
pub fn soundex(name: &str) -> String {
    fn code(c: char) -> char {
        match c {
            'b' | 'f' | 'p' | 'v' => '1',
            'c' | 'g' | 'j' | 'k' | 'q' | 's' | 'x' | 'z' => '2',
            'd' | 't' => '3',
            'l' => '4',
            'm' | 'n' => '5',
            'r' => '6',
            'h' | 'w' => 'h',
            _ => '0',
        }
    }
    let letters: Vec<char> = fold(name).chars().filter(|c| c.is_ascii_alphabetic()).collect();
    let Some(&first) = letters.first() else { return String::new() };
    let mut out = String::new();
    out.push(first.to_ascii_uppercase());
    let mut last = code(first);
    for &c in &letters[1..] {
        let d = code(c);
        if d == 'h' {
            continue; // h and w do not separate equal codes
        }
        if d != '0' && d != last {
            out.push(d);
            if out.len() == 4 {
                break;
            }
        }
        last = d;
    }
    while out.len() < 4 {
        out.push('0');
    }
    out
}

/// Common English forename short forms: each row is a formal name then the forms that mean it.
const NICKNAMES: &[&[&str]] = &[
    &["alexander", "alex", "alec", "sandy", "xander"],
    &["alexandra", "alex", "lexi", "sandra"],
    &["benjamin", "ben", "benji", "benny"],
    &["charles", "charlie", "chas"],
    &["charlotte", "charlie", "lottie"],
    &["christopher", "chris", "kit"],
    &["daniel", "dan", "danny"],
    &["edward", "ed", "eddie", "ted", "teddy", "ned"],
    &["elizabeth", "liz", "lizzie", "beth", "betty", "eliza", "libby"],
    &["frederick", "fred", "freddie", "freddy"],
    &["isabella", "bella", "izzy", "isabel"],
    &["james", "jim", "jimmy", "jamie"],
    &["jessica", "jess", "jessie"],
    &["jonathan", "jon", "jonny"],
    &["joseph", "joe", "joey"],
    &["katherine", "kate", "katie", "kathy", "kat"],
    &["margaret", "maggie", "meg", "peggy"],
    &["matthew", "matt", "matty"],
    &["michael", "mike", "mikey", "mick"],
    &["nicholas", "nick", "nicky"],
    &["oliver", "ollie", "olly"],
    &["rebecca", "becky", "becca"],
    &["robert", "rob", "robbie", "bob", "bobby"],
    &["samuel", "sam", "sammy"],
    &["samantha", "sam", "sammy"],
    &["thomas", "tom", "tommy"],
    &["victoria", "vicky", "tori"],
    &["william", "will", "bill", "billy", "liam", "willy"],
];

/// Whether two folded forenames are the same name in formal and short form.
pub fn nickname_of(a: &str, b: &str) -> bool {
    a != b && NICKNAMES.iter().any(|row| row.contains(&a) && row.contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_drops_case_accents_hyphens_and_apostrophes() {
        assert_eq!(fold("O'Neil-Smith"), "oneilsmith");
        assert_eq!(fold("Zoë"), "zoe");
        assert_eq!(fold("  JOSÉ "), "jose");
    }

    #[test]
    fn soundex_codes_similar_sounding_surnames_alike() {
        assert_eq!(soundex("Robert"), "R163");
        assert_eq!(soundex("Rupert"), "R163");
        assert_eq!(soundex("Ashcraft"), "A261");
        assert_eq!(soundex("Smith"), soundex("Smyth"));
        assert_eq!(soundex("---"), "");
    }

    #[test]
    fn a_short_form_is_a_nickname_of_its_formal_name_but_not_of_another() {
        assert!(nickname_of("william", "bill"));
        assert!(nickname_of("liz", "elizabeth"));
        assert!(!nickname_of("william", "robert"));
        assert!(!nickname_of("sam", "sam"));
    }

    #[test]
    fn a_double_barrelled_name_splits_into_its_parts() {
        assert_eq!(parts("Smith-Jones"), vec!["smith", "jones"]);
    }
}
