//! Whether a transfer's comments say it was given as aid.
//!
//! SIPRI's register names aid in many forms: `aid`, `'MDAP' aid`, `MAP aid`, `Aid after
//! 2022 Russian invasion of Ukraine`, `aid (aircraft donated by ...)`, `probably aid`. The
//! comments are a `;`-separated list of notes; a note names aid when one of its words is
//! `aid` (in any case) or the acronym of a US aid programme written in capitals, `MAP`
//! (Military Assistance Program) or `MDAP` (Mutual Defense Assistance Program). Words are
//! runs of letters and digits, so `aided`, `said`, `raid` or `AIDC` are no mention. A note
//! in which `not` or `no` comes before the mention says it was not aid; one in which
//! `probably`, `possibly`, `perhaps`, `maybe`, `unclear` or `uncertain` comes before it
//! says aid is uncertain.

/// What a transfer's comments say about aid.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AidMention {
    /// A note says it was aid.
    pub stated: bool,
    /// A note says it was probably or possibly aid, and none says it was.
    pub uncertain: bool,
}

/// Words that make a mention of aid uncertain when they come before it in the same note.
const HEDGES: [&str; 6] = ["probably", "possibly", "perhaps", "maybe", "unclear", "uncertain"];

/// What the comments `text` say about aid (see the module docs).
///
/// ```
/// use divnet::ingest::validate::aid_in_comments;
/// let m = aid_in_comments("Second-hand; 'MDAP' aid; F-4U-7 version");
/// assert!(m.stated && !m.uncertain);
/// let m = aid_in_comments("Part of $88 m deal; probably aid; Cessna-208B version");
/// assert!(!m.stated && m.uncertain);
/// assert_eq!(aid_in_comments("Said to be for the navy; AIDC F-CK-1"), Default::default());
/// ```
pub fn aid_in_comments(text: &str) -> AidMention {
    let mut m = AidMention::default();
    for note in text.split(';') {
        let (mut hedged, mut negated) = (false, false);
        for word in note.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
            if word.eq_ignore_ascii_case("aid") || word == "MAP" || word == "MDAP" {
                if negated {
                    // "not aid": this note says nothing for aid
                } else if hedged {
                    m.uncertain = true;
                } else {
                    m.stated = true;
                }
                break;
            }
            let lower = word.to_ascii_lowercase();
            negated |= lower == "not" || lower == "no";
            hedged |= HEDGES.contains(&lower.as_str());
        }
    }
    m.uncertain &= !m.stated;
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_of_the_register_is_read() {
        let stated = [
            "Second-hand; aid",
            "Second-hand; 'MDAP' aid; F-4U-7 version; incl for use on aircraft carrier",
            "Incl second-hand (but maximum few years old); 'MDAP' aid; L-19A (O-1A) version",
            "Aid after 2022 Russian invasion of Ukraine",
            "Second-hand but modernized before delivery; aid (aircraft donated by Czech Republic and modernization funded by NATO)",
            "Probably second-hand (but less than 2 years old); BTR-82AM version; aid",
            "Second-hand; MAP",
            "Financed by US aid",
            "AID",
        ];
        for c in stated {
            assert_eq!(aid_in_comments(c), AidMention { stated: true, uncertain: false }, "{c}");
        }
        for c in ["probably aid", "Possibly MAP aid; second-hand", "Second-hand; unclear if aid"] {
            assert_eq!(aid_in_comments(c), AidMention { stated: false, uncertain: true }, "{c}");
        }
        // A note that states aid outweighs one that hedges.
        let m = aid_in_comments("probably aid; aid after 2014");
        assert_eq!(m, AidMention { stated: true, uncertain: false });
        for c in [
            "",
            "Deal worth $29-40 m; V-150S version; for police",
            "Said to be for the navy",
            "AIDC AT-3; raid on depot; aided by local production",
            "not aid (sold at cost)",
            "Map display system",
            "map; MAPATS",
        ] {
            assert_eq!(aid_in_comments(c), AidMention::default(), "{c}");
        }
    }
}
