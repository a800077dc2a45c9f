//! The BER-TLV subset the text application uses: tags of one or two bytes, definite lengths.

/// Appends `tag` (1–2 bytes), the BER length of `value`, and `value` to `out`.
pub fn push(out: &mut Vec<u8>, tag: &[u8], value: &[u8]) {
    out.extend_from_slice(tag);
    match value.len() {
        n @ 0..=0x7F => out.push(n as u8),
        n @ 0x80..=0xFF => out.extend_from_slice(&[0x81, n as u8]),
        n => {
            let n = u16::try_from(n).expect("text application values are short");
            out.push(0x82);
            out.extend_from_slice(&n.to_be_bytes());
        }
    }
    out.extend_from_slice(value);
}

/// Reads one TLV from the start of `input`: (tag, value, rest). `None` if malformed.
pub fn read(input: &[u8]) -> Option<(Vec<u8>, &[u8], &[u8])> {
    let (&first, mut rest) = input.split_first()?;
    let mut tag = vec![first];
    // Low five bits all set: the tag continues in the next byte(s).
    if first & 0x1F == 0x1F {
        loop {
            let (&b, r) = rest.split_first()?;
            tag.push(b);
            rest = r;
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let (&len0, mut rest) = rest.split_first()?;
    let len = match len0 {
        0..=0x7F => usize::from(len0),
        0x81 => {
            let (&b, r) = rest.split_first()?;
            rest = r;
            usize::from(b)
        }
        0x82 => {
            let b = rest.get(..2)?;
            rest = &rest[2..];
            usize::from(u16::from_be_bytes([b[0], b[1]]))
        }
        _ => return None,
    };
    let value = rest.get(..len)?;
    Some((tag, value, &rest[len..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_short_and_long_lengths() {
        for len in [0usize, 1, 127, 128, 255, 256, 700] {
            let value = vec![0xAB; len];
            let mut out = Vec::new();
            push(&mut out, &[0xDF, 0x23], &value);
            out.push(0xFF);
            let (tag, v, rest) = read(&out).unwrap();
            assert_eq!(
                (tag.as_slice(), v, rest),
                (&[0xDF, 0x23][..], value.as_slice(), &[0xFF][..])
            );
        }
    }

    #[test]
    fn truncated_input_is_none() {
        assert!(read(&[0xDF]).is_none());
        assert!(read(&[0xDF, 0x22, 0x05, 1, 2]).is_none());
        assert!(read(&[0xFF, 0x20, 0x83, 0, 0, 1]).is_none());
    }
}
