//! The input devices of this machine, for `scanner list`: read from sysfs, which
//! needs no permission, so devices we may not open are listed too (`evdev::enumerate`
//! silently skips those, which is exactly the case the installer needs to see).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::keycodes::{self, KEY_ENTER};

pub const SYS_CLASS_INPUT: &str = "/sys/class/input";
pub const DEV_INPUT: &str = "/dev/input";
pub const DEV_INPUT_BY_ID: &str = "/dev/input/by-id";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Looks {
    /// The name says scanner (vendor or "barcode"/"scan").
    Scanner,
    /// Letters and Enter: a keyboard, or a scanner with a generic name.
    Keyboard,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    Readable,
    NoPermission,
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    /// `/dev/input/eventN`.
    pub path: PathBuf,
    /// Stable `/dev/input/by-id/...` links to it (what the config should name).
    pub by_id: Vec<PathBuf>,
    pub name: String,
    pub vendor: Option<u16>,
    pub product: Option<u16>,
    pub looks: Looks,
    pub access: Access,
}

/// Name fragments of wedge scanners seen in the Russian market, lower case.
const SCANNER_WORDS: [&str; 16] = [
    "scan",
    "barcode",
    "bar code",
    "honeywell",
    "metrologic",
    "hand held",
    "zebra",
    "symbol",
    "datalogic",
    "newland",
    "mindeo",
    "atol",
    "netum",
    "opticon",
    "hid kbw",
    "2d",
];

fn read_trimmed(path: &Path) -> Option<String> {
    fs::read_to_string(path).ok().map(|s| s.trim().to_string())
}

fn read_hex_u16(path: &Path) -> Option<u16> {
    u16::from_str_radix(&read_trimmed(path)?, 16).ok()
}

/// Parses a sysfs capability bitmap: hex words, most significant first, each one a
/// C `long` of `word_bits` bits.
pub fn parse_key_bitmap(text: &str, word_bits: u32) -> Vec<u16> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut keys = Vec::new();
    for (i, word) in words.iter().rev().enumerate() {
        let Ok(value) = u64::from_str_radix(word, 16) else {
            continue;
        };
        for bit in 0..word_bits.min(64) {
            if value & (1u64 << bit) != 0
                && let Ok(code) = u16::try_from(i as u32 * word_bits + bit)
            {
                keys.push(code);
            }
        }
    }
    keys
}

pub fn looks_like(name: &str, keys: &[u16]) -> Looks {
    let lower = name.to_lowercase();
    if SCANNER_WORDS.iter().any(|w| lower.contains(w)) {
        return Looks::Scanner;
    }
    let letters = keys
        .iter()
        .filter(|&&k| keycodes::us_chars(k).is_some_and(|(c, _)| c.is_ascii_alphabetic()))
        .count();
    if keys.contains(&KEY_ENTER) && letters == 26 {
        Looks::Keyboard
    } else {
        Looks::Other
    }
}

pub fn access_of(path: &Path) -> Access {
    match fs::File::open(path) {
        Ok(_) => Access::Readable,
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => Access::NoPermission,
        Err(e) => Access::Failed(e.to_string()),
    }
}

/// Lists `eventN` devices from `sys_class_input`, with their nodes in `dev_input` and
/// the stable links in `by_id_dir`. The directories are parameters so that a fake
/// sysfs tree can be tested.
pub fn list_in(sys_class_input: &Path, dev_input: &Path, by_id_dir: &Path) -> Vec<DeviceInfo> {
    let word_bits = usize::BITS;
    let by_id: Vec<(PathBuf, PathBuf)> = fs::read_dir(by_id_dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let link = e.path();
            let target = fs::read_link(&link).ok()?;
            let target = if target.is_relative() {
                by_id_dir.join(target)
            } else {
                target
            };
            let file = target.file_name()?.to_owned();
            Some((link, dev_input.join(file)))
        })
        .collect();
    let mut out: Vec<DeviceInfo> = fs::read_dir(sys_class_input)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let node = e.file_name().to_string_lossy().into_owned();
            if !node.starts_with("event") {
                return None;
            }
            let dev = e.path().join("device");
            let name = read_trimmed(&dev.join("name")).unwrap_or_default();
            let keys = read_trimmed(&dev.join("capabilities/key"))
                .map(|t| parse_key_bitmap(&t, word_bits))
                .unwrap_or_default();
            let path = dev_input.join(&node);
            let mut links: Vec<PathBuf> = by_id
                .iter()
                .filter(|(_, target)| *target == path)
                .map(|(link, _)| link.clone())
                .collect();
            links.sort();
            Some(DeviceInfo {
                by_id: links,
                vendor: read_hex_u16(&dev.join("id/vendor")),
                product: read_hex_u16(&dev.join("id/product")),
                looks: looks_like(&name, &keys),
                access: access_of(&path),
                name,
                path,
            })
        })
        .collect();
    out.sort_by_key(|d| {
        let n: u32 = d
            .path
            .file_name()
            .and_then(|f| f.to_str())
            .and_then(|f| f.strip_prefix("event"))
            .and_then(|n| n.parse().ok())
            .unwrap_or(u32::MAX);
        n
    });
    out
}

pub fn list() -> Vec<DeviceInfo> {
    list_in(
        Path::new(SYS_CLASS_INPUT),
        Path::new(DEV_INPUT),
        Path::new(DEV_INPUT_BY_ID),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitmap_words_are_most_significant_first() {
        // KEY_ENTER (28) and KEY_A (30) in the lowest word, bit 64 in the next one.
        let keys = parse_key_bitmap("1 50000000", 64);
        assert_eq!(keys, vec![28, 30, 64]);
    }

    #[test]
    fn scanner_names_and_keyboards() {
        let all: Vec<u16> = (1..120).collect();
        assert_eq!(looks_like("Honeywell Imaging 1900", &[]), Looks::Scanner);
        assert_eq!(looks_like("SM SM-2D PRODUCT HID KBW", &all), Looks::Scanner);
        assert_eq!(
            looks_like("AT Translated Set 2 keyboard", &all),
            Looks::Keyboard
        );
        assert_eq!(looks_like("Power Button", &[116]), Looks::Other);
    }

    #[cfg(unix)]
    #[test]
    fn lists_a_fake_sysfs_tree() {
        let root = tempfile::tempdir().unwrap();
        let sys = root.path().join("sys");
        let dev = root.path().join("dev");
        let by_id = dev.join("by-id");
        fs::create_dir_all(&by_id).unwrap();
        for (node, name) in [("event3", "Newland 2D Scanner"), ("event1", "kbd")] {
            let d = sys.join(node).join("device");
            fs::create_dir_all(d.join("id")).unwrap();
            fs::create_dir_all(d.join("capabilities")).unwrap();
            fs::write(d.join("name"), format!("{name}\n")).unwrap();
            fs::write(d.join("id/vendor"), "1eab\n").unwrap();
            fs::write(d.join("id/product"), "0d22\n").unwrap();
            fs::write(d.join("capabilities/key"), "10000000\n").unwrap();
            fs::write(dev.join(node), "").unwrap();
        }
        fs::create_dir_all(sys.join("mouse0")).unwrap();
        std::os::unix::fs::symlink("../event3", by_id.join("usb-Newland-event-kbd")).unwrap();
        let list = list_in(&sys, &dev, &by_id);
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].path, dev.join("event1"));
        assert_eq!(list[1].name, "Newland 2D Scanner");
        assert_eq!(list[1].looks, Looks::Scanner);
        assert_eq!(list[1].vendor, Some(0x1eab));
        assert_eq!(list[1].by_id, vec![by_id.join("usb-Newland-event-kbd")]);
        assert_eq!(list[1].access, Access::Readable);
    }
}
