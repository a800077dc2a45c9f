//! A one-page PDF 1.5 file in the compressed layout (ISO 32000-1 §7.5.7, §7.5.8): the
//! catalog, page tree, page and font in a Flate object stream, the cross-reference section a
//! Flate xref stream with the PNG Up predictor, as many producers write them.

use std::io::Write;

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

pub fn xref_stream_pdf(line: &str) -> Vec<u8> {
    let objs = [
        "<</Type /Catalog /Pages 2 0 R>>",
        "<</Type /Pages /Kids [3 0 R] /Count 1>>",
        "<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources <</Font <</F1 4 0 R>>>> /Contents 5 0 R>>",
        "<</Type /Font /Subtype /Type1 /BaseFont /Helvetica>>",
    ];
    let mut header = String::new();
    let mut body = String::new();
    for (i, o) in objs.iter().enumerate() {
        header.push_str(&format!("{} {} ", i + 1, body.len()));
        body.push_str(o);
        body.push('\n');
    }
    let objstm = format!("{header}{body}");
    let mut pdf = b"%PDF-1.5\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let content = format!("BT /F1 12 Tf 72 770 Td ({line}) Tj ET");
    let content_at = pdf.len();
    pdf.extend_from_slice(
        format!(
            "5 0 obj\n<</Length {}>>\nstream\n{content}\nendstream\nendobj\n",
            content.len()
        )
        .as_bytes(),
    );
    let stm_at = pdf.len();
    let z = deflate(objstm.as_bytes());
    pdf.extend_from_slice(
        format!(
            "6 0 obj\n<</Type /ObjStm /N 4 /First {} /Filter /FlateDecode /Length {}>>\nstream\n",
            header.len(),
            z.len()
        )
        .as_bytes(),
    );
    pdf.extend_from_slice(&z);
    pdf.extend_from_slice(b"\nendstream\nendobj\n");
    let xref_at = pdf.len();
    // Rows of [type, 2-byte field 2, 1-byte field 3] for objects 0..=7.
    let rows: Vec<[u8; 4]> = vec![
        [0, 0, 0, 255],
        [2, 0, 6, 0],
        [2, 0, 6, 1],
        [2, 0, 6, 2],
        [2, 0, 6, 3],
        [1, (content_at >> 8) as u8, content_at as u8, 0],
        [1, (stm_at >> 8) as u8, stm_at as u8, 0],
        [1, (xref_at >> 8) as u8, xref_at as u8, 0],
    ];
    let mut predicted = Vec::new();
    let mut prev = [0u8; 4];
    for row in rows {
        predicted.push(2); // PNG Up
        for i in 0..4 {
            predicted.push(row[i].wrapping_sub(prev[i]));
        }
        prev = row;
    }
    let z = deflate(&predicted);
    pdf.extend_from_slice(
        format!(
            "7 0 obj\n<</Type /XRef /Size 8 /W [1 2 1] /Root 1 0 R /Filter /FlateDecode /DecodeParms <</Predictor 12 /Columns 4>> /Length {}>>\nstream\n",
            z.len()
        )
        .as_bytes(),
    );
    pdf.extend_from_slice(&z);
    pdf.extend_from_slice(format!("\nendstream\nendobj\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
    pdf
}
