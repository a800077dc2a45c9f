//! A minimal one-page PDF: A4 (595 × 842 pt), Helvetica, a title and lines of ASCII text,
//! with a classic xref table and an `/ID` derived from the content.

use sha2::{Digest, Sha256};

/// Lines longer than this are cut; a page holds about 60 lines of 11 pt text.
const MAX_LINE: usize = 110;

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().take(MAX_LINE) {
        match c {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            _ => out.push('?'),
        }
    }
    out
}

/// A one-page PDF (A4, Helvetica) with `title` in 16 pt and `lines` in 11 pt below it;
/// characters outside printable ASCII become `?`.
pub fn text_pdf(title: &str, lines: &[&str]) -> Vec<u8> {
    let mut content = format!(
        "BT\n/F1 16 Tf\n72 770 Td\n({}) Tj\n/F1 11 Tf\n0 -28 Td\n",
        escape(title)
    );
    for line in lines.iter().take(60) {
        content.push_str(&format!("({}) Tj\n0 -14 Td\n", escape(line)));
    }
    content.push_str("ET\n");
    let objects = [
        "<</Type /Catalog /Pages 2 0 R>>".to_string(),
        "<</Type /Pages /Kids [3 0 R] /Count 1>>".to_string(),
        "<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources <</Font <</F1 4 0 R>>>> /Contents 5 0 R>>".to_string(),
        "<</Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding>>".to_string(),
        format!("<</Length {}>>\nstream\n{}\nendstream", content.len(), content),
    ];
    let mut pdf = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{}\nendobj\n", i + 1, body).as_bytes());
    }
    let id: String = Sha256::digest(&pdf)[..16]
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    let xref_at = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f\r\n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        pdf.extend_from_slice(format!("{off:010} 00000 n\r\n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<</Size {} /Root 1 0 R /ID [<{id}> <{id}>]>>\nstartxref\n{xref_at}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}
