//! Made-up but well-formed reference data for the simulator: suppliers, products,
//! registration numbers and 150-character excise stamps.

use super::docs::{Org, Product};

pub fn suppliers() -> Vec<Org> {
    vec![
        Org {
            fsrar_id: "010038062164".into(),
            inn: "7446043646".into(),
            kpp: "745645001".into(),
            full_name: "Общество с ограниченной ответственностью \"АгроТрейд\"".into(),
            short_name: "ООО \"АгроТрейд\"".into(),
            region: "74".into(),
            address: "Челябинская обл., г. Магнитогорск, ул. Вокзальная, д. 2".into(),
        },
        Org {
            fsrar_id: "020000433817".into(),
            inn: "7702012345".into(),
            kpp: "770201001".into(),
            full_name: "Общество с ограниченной ответственностью \"Винный двор\"".into(),
            short_name: "ООО \"Винный двор\"".into(),
            region: "77".into(),
            address: "г. Москва, ул. Складская, д. 14".into(),
        },
    ]
}

fn producer() -> Org {
    Org {
        fsrar_id: "010000000545".into(),
        inn: "0276100884".into(),
        kpp: "025745001".into(),
        full_name: "Бирский филиал АО \"Башспирт\"".into(),
        short_name: "АО \"Башспирт\"".into(),
        region: "02".into(),
        address: "Республика Башкортостан, г. Бирск, ул. Мира, д. 33".into(),
    }
}

pub fn products() -> Vec<Product> {
    let p = |alc: &str, name: &str, cap: &str, vol: &str, vcode: &str| Product {
        alc_code: alc.into(),
        full_name: name.into(),
        capacity: cap.into(),
        alc_volume: vol.into(),
        vcode: vcode.into(),
        producer: producer(),
    };
    vec![
        p(
            "0010255000002043023",
            "Водка \"Нектар колоска\"",
            "0.5000",
            "40.000",
            "200",
        ),
        p(
            "0123163000001747669",
            "Коньяк \"Старый город\" 5 лет",
            "0.5000",
            "40.000",
            "229",
        ),
        p(
            "0300000000000123456",
            "Вино столовое красное сухое \"Кубань\"",
            "0.7500",
            "12.000",
            "403",
        ),
        p(
            "0150320000003518827",
            "Настойка горькая \"Перцовая\"",
            "0.2500",
            "35.000",
            "230",
        ),
    ]
}

const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// A 150-character stamp matching the first alternative of `c:PDF417String`.
pub fn stamp(rng: &mut fastrand::Rng) -> String {
    let mut s = String::with_capacity(150);
    s.push_str(["188", "197", "155"][rng.usize(..3)]);
    s.push_str(&format!("{:03}", rng.u32(100..1000)));
    s.push_str(&format!("{:08}", rng.u32(1..100_000_000)));
    s.push_str(&format!("{:02}", rng.u32(1..=12)));
    s.push_str(&format!("{:02}", rng.u32(20..30)));
    s.push_str(&format!("{:03}", rng.u32(1..1000)));
    for _ in 0..129 {
        s.push(ALNUM[rng.usize(..ALNUM.len())] as char);
    }
    s
}

pub fn digits(rng: &mut fastrand::Rng, n: usize) -> String {
    (0..n).map(|_| char::from(b'0' + rng.u8(0..10))).collect()
}

pub fn hex(rng: &mut fastrand::Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b"0123456789ABCDEF"[rng.usize(..16)]))
        .collect()
}

pub fn guid(rng: &mut fastrand::Rng) -> String {
    let h = hex(rng, 32).to_lowercase();
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_have_the_official_shape() {
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..50 {
            let s = stamp(&mut rng);
            assert_eq!(s.len(), 150);
            assert!(s[..21].chars().all(|c| c.is_ascii_digit()));
            assert_ne!(&s[6..14], "00000000");
            let month: u32 = s[14..16].parse().unwrap();
            assert!((1..=12).contains(&month));
        }
        assert_eq!(guid(&mut rng).len(), 36);
    }
}
