//! Splitting a Japanese address into prefecture, municipality and the rest, and the romanised
//! prefecture names J-LIS uses in subject and CRL distribution-point names.

use serde::{Deserialize, Serialize};

/// The 47 prefectures with the romanisation used in JPKI names (e.g. `Kanagawa-ken`).
const PREFECTURES: [(&str, &str); 47] = [
    ("北海道", "Hokkaido"),
    ("青森県", "Aomori-ken"),
    ("岩手県", "Iwate-ken"),
    ("宮城県", "Miyagi-ken"),
    ("秋田県", "Akita-ken"),
    ("山形県", "Yamagata-ken"),
    ("福島県", "Fukushima-ken"),
    ("茨城県", "Ibaraki-ken"),
    ("栃木県", "Tochigi-ken"),
    ("群馬県", "Gunma-ken"),
    ("埼玉県", "Saitama-ken"),
    ("千葉県", "Chiba-ken"),
    ("東京都", "Tokyo-to"),
    ("神奈川県", "Kanagawa-ken"),
    ("新潟県", "Niigata-ken"),
    ("富山県", "Toyama-ken"),
    ("石川県", "Ishikawa-ken"),
    ("福井県", "Fukui-ken"),
    ("山梨県", "Yamanashi-ken"),
    ("長野県", "Nagano-ken"),
    ("岐阜県", "Gifu-ken"),
    ("静岡県", "Shizuoka-ken"),
    ("愛知県", "Aichi-ken"),
    ("三重県", "Mie-ken"),
    ("滋賀県", "Shiga-ken"),
    ("京都府", "Kyoto-fu"),
    ("大阪府", "Osaka-fu"),
    ("兵庫県", "Hyogo-ken"),
    ("奈良県", "Nara-ken"),
    ("和歌山県", "Wakayama-ken"),
    ("鳥取県", "Tottori-ken"),
    ("島根県", "Shimane-ken"),
    ("岡山県", "Okayama-ken"),
    ("広島県", "Hiroshima-ken"),
    ("山口県", "Yamaguchi-ken"),
    ("徳島県", "Tokushima-ken"),
    ("香川県", "Kagawa-ken"),
    ("愛媛県", "Ehime-ken"),
    ("高知県", "Kochi-ken"),
    ("福岡県", "Fukuoka-ken"),
    ("佐賀県", "Saga-ken"),
    ("長崎県", "Nagasaki-ken"),
    ("熊本県", "Kumamoto-ken"),
    ("大分県", "Oita-ken"),
    ("宮崎県", "Miyazaki-ken"),
    ("鹿児島県", "Kagoshima-ken"),
    ("沖縄県", "Okinawa-ken"),
];

/// An address split at the municipality (市区町村, with the ward of a designated city).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SplitAddress {
    pub prefecture: String,
    pub municipality: String,
    pub rest: String,
}

impl SplitAddress {
    /// Splits `address`; `None` when it does not start with a prefecture or has no municipality.
    pub fn parse(address: &str) -> Option<Self> {
        let (prefecture, _) = PREFECTURES.iter().find(|(p, _)| address.starts_with(p))?;
        let after = &address[prefecture.len()..];
        let municipality_len = municipality_len(after)?;
        Some(SplitAddress {
            prefecture: (*prefecture).to_owned(),
            municipality: after[..municipality_len].to_owned(),
            rest: after[municipality_len..].to_owned(),
        })
    }

    /// The romanised prefecture name (`Kanagawa-ken`).
    pub fn prefecture_romaji(&self) -> &'static str {
        PREFECTURES
            .iter()
            .find(|(p, _)| *p == self.prefecture)
            .map(|(_, r)| *r)
            .expect("parse only accepts listed prefectures")
    }
}

/// Municipality and county names that contain 市, 町, 村 or 郡 before their own suffix, so the
/// first-suffix rule below would cut them short.
const IRREGULAR: [&str; 30] = [
    "四日市市",
    "廿日市市",
    "野々市市",
    "市原市",
    "市川市",
    "大町市",
    "町田市",
    "十日町市",
    "村山市",
    "東村山市",
    "武蔵村山市",
    "村上市",
    "大村市",
    "羽村市",
    "田村市",
    "田村郡",
    "郡山市",
    "大和郡山市",
    "小郡市",
    "郡上市",
    "蒲郡市",
    "中新川郡上市町",
    "芳賀郡市貝町",
    "余市郡余市町",
    "杵島郡大町町",
    "北安曇郡白馬村",
    "西村山郡",
    "北村山郡",
    "東村山郡",
    "市川三郷町",
];

/// Byte length of the municipality at the start of `s`: a county (郡) is followed by its town
/// or village; the 23 wards of Tokyo end in 区; a designated city (市) is followed by its ward.
fn municipality_len(s: &str) -> Option<usize> {
    if let Some(name) = IRREGULAR
        .iter()
        .filter(|n| s.starts_with(*n))
        .max_by_key(|n| n.len())
    {
        return if name.ends_with('郡') {
            let rest = municipality_len(&s[name.len()..])?;
            Some(name.len() + rest)
        } else {
            Some(name.len())
        };
    }
    let end_after = |from: usize, marks: &[char]| -> Option<usize> {
        // A suffix never stands first: the name has at least one character before it.
        let skip = s[from..].chars().next()?.len_utf8();
        s[from + skip..]
            .char_indices()
            .find(|(_, c)| marks.contains(c))
            .map(|(i, c)| from + skip + i + c.len_utf8())
    };
    let first = end_after(0, &['市', '区', '町', '村', '郡'])?;
    match s[..first].chars().last()? {
        '郡' => end_after(first, &['町', '村']),
        '市' => {
            // A ward directly after the city belongs to the municipality (横浜市中区).
            let ward = end_after(first, &['区']);
            match ward {
                Some(w) if s[first..w].chars().count() <= 4 => Some(w),
                _ => Some(first),
            }
        }
        _ => Some(first),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(a: &str) -> (String, String, String) {
        let s = SplitAddress::parse(a).unwrap();
        (s.prefecture, s.municipality, s.rest)
    }

    #[test]
    fn splits_cities_wards_counties_and_tokyo_wards() {
        assert_eq!(
            split("神奈川県横浜市中区日本大通1"),
            ("神奈川県".into(), "横浜市中区".into(), "日本大通1".into())
        );
        assert_eq!(
            split("東京都千代田区霞が関二丁目1番2号"),
            (
                "東京都".into(),
                "千代田区".into(),
                "霞が関二丁目1番2号".into()
            )
        );
        assert_eq!(
            split("北海道虻田郡倶知安町北1条東3丁目"),
            (
                "北海道".into(),
                "虻田郡倶知安町".into(),
                "北1条東3丁目".into()
            )
        );
        assert_eq!(split("長野県松本市丸の内3番7号").1, "松本市");
        assert_eq!(split("千葉県市川市八幡1").1, "市川市");
        assert_eq!(split("三重県四日市市諏訪町1番5号").1, "四日市市");
        assert_eq!(split("三重県津市広明町13番地").1, "津市");
        assert_eq!(split("東京都町田市森野2").1, "町田市");
        assert_eq!(split("北海道余市郡余市町朝日町4").1, "余市郡余市町");
        assert_eq!(
            SplitAddress::parse("神奈川県横浜市中区1")
                .unwrap()
                .prefecture_romaji(),
            "Kanagawa-ken"
        );
    }

    #[test]
    fn unknown_prefecture_is_refused() {
        assert!(SplitAddress::parse("Somewhere 1-2-3").is_none());
    }
}
