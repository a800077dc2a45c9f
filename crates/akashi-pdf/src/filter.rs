//! Stream filters (ISO 32000-1 §7.4): `FlateDecode` with the PNG predictors xref and object
//! streams use (§7.4.4.4), bounded so a hostile stream cannot inflate without limit.

use std::io::{Read, Write};

use crate::object::{Dict, Object};
use crate::PdfError;

/// Decoded streams larger than this are refused.
pub const MAX_DECODED: u64 = 256 << 20;

/// The decoded data of a stream with dictionary `dict` and raw data `raw`.
pub fn decode(dict: &Dict, raw: &[u8]) -> Result<Vec<u8>, PdfError> {
    let filters: Vec<&[u8]> = match dict.get("Filter") {
        None | Some(Object::Null) => Vec::new(),
        Some(Object::Name(n)) => vec![n.as_slice()],
        Some(Object::Array(a)) => a
            .iter()
            .map(|f| match f {
                Object::Name(n) => Ok(n.as_slice()),
                _ => Err(PdfError::Filter("filter is not a name".into())),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(PdfError::Filter("/Filter is not a name or array".into())),
    };
    let params = match dict.get("DecodeParms") {
        Some(Object::Dict(d)) => Some(d),
        Some(Object::Array(a)) => a.first().and_then(Object::as_dict),
        _ => None,
    };
    match filters.as_slice() {
        [] => Ok(raw.to_vec()),
        [b"FlateDecode"] => {
            let mut out = Vec::new();
            flate2::read::ZlibDecoder::new(raw)
                .take(MAX_DECODED + 1)
                .read_to_end(&mut out)
                .map_err(|e| PdfError::Filter(format!("FlateDecode: {e}")))?;
            if out.len() as u64 > MAX_DECODED {
                return Err(PdfError::Filter("decoded stream too large".into()));
            }
            match params {
                Some(p) => unpredict(p, out),
                None => Ok(out),
            }
        }
        other => Err(PdfError::Filter(format!(
            "unsupported filter chain {:?}",
            other
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect::<Vec<_>>()
        ))),
    }
}

/// Undoes a PNG predictor (/Predictor 10–15), one filter-type byte before each row.
fn unpredict(params: &Dict, data: Vec<u8>) -> Result<Vec<u8>, PdfError> {
    let int = |k: &str, default: i64| params.get(k).and_then(Object::as_int).unwrap_or(default);
    let predictor = int("Predictor", 1);
    if predictor == 1 {
        return Ok(data);
    }
    if !(10..=15).contains(&predictor) {
        return Err(PdfError::Filter(format!(
            "unsupported predictor {predictor}"
        )));
    }
    let (columns, colors, bpc) = (
        int("Columns", 1),
        int("Colors", 1),
        int("BitsPerComponent", 8),
    );
    if !(1..=1 << 20).contains(&columns) || !(1..=32).contains(&colors) || bpc != 8 {
        return Err(PdfError::Filter("unsupported predictor parameters".into()));
    }
    let bpp = colors as usize;
    let row = columns as usize * bpp;
    let mut out = Vec::with_capacity(data.len());
    let mut prev = vec![0u8; row];
    for chunk in data.chunks(row + 1) {
        if chunk.len() != row + 1 {
            return Err(PdfError::Filter("predicted data is not whole rows".into()));
        }
        let mut cur = chunk[1..].to_vec();
        for i in 0..row {
            let left = if i >= bpp { cur[i - bpp] } else { 0 };
            let up = prev[i];
            let up_left = if i >= bpp { prev[i - bpp] } else { 0 };
            let add = match chunk[0] {
                0 => 0,
                1 => left,
                2 => up,
                3 => ((u16::from(left) + u16::from(up)) / 2) as u8,
                4 => paeth(left, up, up_left),
                _ => return Err(PdfError::Filter("bad PNG row filter".into())),
            };
            cur[i] = cur[i].wrapping_add(add);
        }
        out.extend_from_slice(&cur);
        prev = cur;
    }
    Ok(out)
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

/// `data` compressed with zlib, for the `FlateDecode` streams this crate writes.
pub fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing into a Vec cannot fail.
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}
