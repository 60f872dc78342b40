//! Raster pictures for the figures that need pixels (the NAF densities): 8-bit RGB images, a
//! viridis colour map, PNG encoding through tiny-skia (the rasteriser resvg is built on, so no
//! encoder of our own to keep correct) and base64 for embedding PNGs in SVG.
use resvg::tiny_skia::{IntSize, Pixmap};
use std::io;

/// An 8-bit RGB image, rows top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    pub width: usize,
    pub height: usize,
    /// `3 · width · height` bytes.
    pub pixels: Vec<u8>,
}

impl Image {
    /// A `width × height` image filled with `rgb`.
    pub fn filled(width: usize, height: usize, rgb: [u8; 3]) -> Self {
        Self { width, height, pixels: rgb.iter().copied().cycle().take(3 * width * height).collect() }
    }

    /// Sets one pixel (ignored outside the image).
    pub fn put(&mut self, x: usize, y: usize, rgb: [u8; 3]) {
        if x < self.width && y < self.height {
            let i = 3 * (y * self.width + x);
            self.pixels[i..i + 3].copy_from_slice(&rgb);
        }
    }

    /// The pixel at (x, y).
    pub fn get(&self, x: usize, y: usize) -> Option<[u8; 3]> {
        (x < self.width && y < self.height).then(|| {
            let i = 3 * (y * self.width + x);
            [self.pixels[i], self.pixels[i + 1], self.pixels[i + 2]]
        })
    }

    /// Copies `other` with its top-left corner at (x0, y0), clipping at the edges.
    pub fn blit(&mut self, other: &Image, x0: usize, y0: usize) {
        for y in 0..other.height {
            for x in 0..other.width {
                if let Some(p) = other.get(x, y) {
                    self.put(x0 + x, y0 + y, p);
                }
            }
        }
    }

    /// A heatmap of `values` (`rows × cols`, row-major, first row on top) mapped through viridis
    /// with `0 → dark` and `vmax → bright` (values above are clipped; NaN is drawn dark).
    pub fn heatmap(values: &[f64], rows: usize, cols: usize, vmax: f64) -> Self {
        let mut img = Self::filled(cols, rows, [0, 0, 0]);
        let scale = if vmax > 0.0 && vmax.is_finite() { 1.0 / vmax } else { 0.0 };
        for r in 0..rows {
            for c in 0..cols {
                let v = values.get(r * cols + c).copied().unwrap_or(0.0) * scale;
                img.put(c, r, viridis(if v.is_finite() { v } else { 0.0 }));
            }
        }
        img
    }

    /// The image as PNG bytes (8-bit RGBA, every pixel opaque), encoded by tiny-skia.
    ///
    /// Errors (`InvalidInput`) for an image with no pixels, which PNG cannot represent, or whose
    /// `pixels` is shorter than `3 · width · height`; `Other` if the encoder fails.
    pub fn to_png(&self) -> io::Result<Vec<u8>> {
        let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidInput, format!("{what}: {}×{} image", self.width, self.height));
        let (w, h) = (u32::try_from(self.width), u32::try_from(self.height));
        let size = match (w, h) {
            (Ok(w), Ok(h)) => IntSize::from_wh(w, h).ok_or_else(|| invalid("PNG needs at least one pixel"))?,
            _ => return Err(invalid("too large for PNG")),
        };
        let n = self.width * self.height;
        if self.pixels.len() < 3 * n {
            return Err(invalid("fewer pixel bytes than 3·width·height"));
        }
        // opaque pixels: premultiplied RGBA is the plain RGB with alpha 255
        let mut rgba = Vec::with_capacity(4 * n);
        for p in self.pixels.chunks_exact(3).take(n) {
            rgba.extend_from_slice(&[p[0], p[1], p[2], 255]);
        }
        let pixmap = Pixmap::from_vec(rgba, size).ok_or_else(|| invalid("too large to draw"))?;
        pixmap.encode_png().map_err(|e| io::Error::other(format!("PNG encoding failed: {e}")))
    }
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                s.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

/// Viridis, by linear interpolation between nine of its colours; `t` is clamped to [0, 1].
pub fn viridis(t: f64) -> [u8; 3] {
    const STOPS: [[f64; 3]; 9] = [
        [68.0, 1.0, 84.0],
        [71.0, 44.0, 122.0],
        [59.0, 81.0, 139.0],
        [44.0, 113.0, 142.0],
        [33.0, 144.0, 141.0],
        [39.0, 173.0, 129.0],
        [92.0, 200.0, 99.0],
        [170.0, 220.0, 50.0],
        [253.0, 231.0, 37.0],
    ];
    let t = t.clamp(0.0, 1.0) * 8.0;
    let i = (t.floor() as usize).min(7);
    let f = t - i as f64;
    let mut out = [0u8; 3];
    for (k, o) in out.iter_mut().enumerate() {
        *o = (STOPS[i][k] + f * (STOPS[i + 1][k] - STOPS[i][k])).round() as u8;
    }
    out
}

/// Escapes text for SVG (one implementation with [`crate::chart::esc`]).
pub use crate::chart::esc as xml_escape;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Decodes a PNG to (width, height, RGB bytes), checking every pixel is opaque.
    fn decode(png: &[u8]) -> (usize, usize, Vec<u8>) {
        let pm = Pixmap::decode_png(png).expect("a valid PNG");
        let rgb = pm.data().chunks_exact(4).flat_map(|p| {
            assert_eq!(p[3], 255, "opaque");
            [p[0], p[1], p[2]]
        });
        (pm.width() as usize, pm.height() as usize, rgb.collect())
    }

    #[test]
    fn base64_known_values() {
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(b"M"), "TQ==");
        assert_eq!(base64(b""), "");
        assert_eq!(base64(&[0xfb, 0xff]), "+/8=");
    }

    #[test]
    fn png_decodes_to_the_same_pixels_and_size() {
        let mut img = Image::filled(3, 2, [10, 20, 30]);
        img.put(2, 1, [255, 0, 7]);
        let png = img.to_png().unwrap();
        assert_eq!(&png[..8], &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]);
        assert_eq!(&png[12..16], b"IHDR");
        assert_eq!(u32::from_be_bytes([png[16], png[17], png[18], png[19]]), 3);
        assert_eq!(u32::from_be_bytes([png[20], png[21], png[22], png[23]]), 2);
        let (w, h, rgb) = decode(&png);
        assert_eq!((w, h), (3, 2));
        assert_eq!(rgb, img.pixels);
        assert_eq!(&rgb[15..18], &[255, 0, 7]);
    }

    #[test]
    fn png_of_nothing_or_too_few_bytes_is_an_error() {
        assert_eq!(Image::filled(0, 4, [0, 0, 0]).to_png().unwrap_err().kind(), io::ErrorKind::InvalidInput);
        let short = Image { width: 2, height: 2, pixels: vec![0; 11] };
        assert_eq!(short.to_png().unwrap_err().kind(), io::ErrorKind::InvalidInput);
    }

    proptest! {
        #[test]
        fn any_image_round_trips(w in 1usize..12, h in 1usize..12, seed in any::<u64>()) {
            let mut img = Image::filled(w, h, [0, 0, 0]);
            let mut s = seed;
            for b in img.pixels.iter_mut() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                *b = (s >> 56) as u8;
            }
            let (dw, dh, rgb) = decode(&img.to_png().unwrap());
            prop_assert_eq!((dw, dh), (w, h));
            prop_assert_eq!(rgb, img.pixels);
        }
    }

    #[test]
    fn put_get_and_blit_clip_at_the_edges() {
        let mut img = Image::filled(3, 3, [1, 1, 1]);
        img.put(3, 0, [9, 9, 9]);
        assert_eq!(img.pixels, vec![1; 27], "outside is ignored");
        assert_eq!(img.get(0, 3), None);
        img.blit(&Image::filled(2, 2, [5, 6, 7]), 2, 2);
        assert_eq!(img.get(2, 2), Some([5, 6, 7]));
        assert_eq!(img.get(1, 2), Some([1, 1, 1]));
        assert_eq!(img.pixels.len(), 27);
    }

    #[test]
    fn viridis_ends_and_heatmap_scaling() {
        assert_eq!(viridis(0.0), [68, 1, 84]);
        assert_eq!(viridis(1.0), [253, 231, 37]);
        assert_eq!(viridis(7.0), viridis(1.0));
        let h = Image::heatmap(&[0.0, 1.0, 2.0, f64::NAN], 2, 2, 2.0);
        assert_eq!(h.get(0, 0), Some(viridis(0.0)));
        assert_eq!(h.get(1, 0), Some(viridis(0.5)));
        assert_eq!(h.get(0, 1), Some(viridis(1.0)));
        assert_eq!(h.get(1, 1), Some(viridis(0.0)));
        assert_eq!(xml_escape("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
    }
}
