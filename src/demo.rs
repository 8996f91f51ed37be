//! `egais-tui demo`: a fictional shop with a few products in a throwaway data directory, so
//! the application can be tried without a UTM, an EGAIS key or any setup.
//!
//! The caller starts the UTM simulator, points [`DemoEnv::set_utm_url`] at it and opens the
//! application with [`DemoEnv::into_context`].

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::app_context::AppContext;
use crate::config::{Config, Paths};
use crate::domain::product::Producer;
use crate::domain::volume::AlcoholPercent;
use crate::domain::{Money, ProductCard, Volume};
use crate::store::{Store, products};

/// The demo configuration file written into the data directory.
pub const DEMO_CONFIG_FILE: &str = "demo-config.toml";

/// A data directory that is deleted when dropped (the demo's default).
#[derive(Debug)]
pub struct TempDataDir {
    path: PathBuf,
}

impl TempDataDir {
    fn create() -> std::io::Result<TempDataDir> {
        let path = std::env::temp_dir().join(format!("egais-tui-demo-{}", uuid::Uuid::new_v4()));
        crate::store::create_private_dir(&path)?;
        Ok(TempDataDir { path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDataDir {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir_all(&self.path) {
            tracing::warn!(path = %self.path.display(), "cannot remove the demo directory: {e}");
        }
    }
}

/// A prepared demo: configuration, paths, the open store, and the temporary directory
/// (none when the user chose `--data-dir`, which is kept).
pub struct DemoEnv {
    pub config: Config,
    pub paths: Paths,
    pub store: Store,
    temp: Option<TempDataDir>,
}

impl DemoEnv {
    /// Where the UTM (normally the simulator) listens, e.g. `http://127.0.0.1:41234`.
    /// The demo config file is rewritten so that `config show --config` tells the truth.
    pub fn set_utm_url(&mut self, url: &str) -> anyhow::Result<()> {
        crate::config::validate::utm_url(url)
            .map_err(|e| anyhow::anyhow!("{} ({})", e.message, e.hint))?;
        self.config.utm.url = url.to_string();
        write_config(&self.config, &self.paths)
    }

    /// Whether the data directory is deleted at the end.
    pub fn is_throwaway(&self) -> bool {
        self.temp.is_some()
    }

    /// The application context, plus the directory guard: keep it until the application
    /// has exited (dropping it deletes a throwaway data directory).
    pub fn into_context(self) -> (AppContext, Option<TempDataDir>) {
        let ctx = AppContext {
            config: std::sync::Arc::new(self.config),
            paths: self.paths,
            store: std::sync::Arc::new(self.store),
        };
        (ctx, self.temp)
    }
}

/// Creates the demo data directory (`data_dir`, or a temporary one), writes the demo config
/// there, opens the store and adds the demo products (again harmlessly on a kept directory).
pub fn prepare(data_dir: Option<&Path>) -> anyhow::Result<DemoEnv> {
    let (temp, dir) = match data_dir {
        Some(d) => (None, d.to_path_buf()),
        None => {
            let t = TempDataDir::create().context("creating a temporary demo directory")?;
            let p = t.path().to_path_buf();
            (Some(t), p)
        }
    };
    let paths = Paths::resolve(Some(&dir), Some(dir.join(DEMO_CONFIG_FILE)))?;
    let config = demo_config();
    crate::store::create_private_dir(&dir)
        .with_context(|| format!("creating the demo directory {}", dir.display()))?;
    write_config(&config, &paths)?;
    let store = Store::open(&dir)?;
    store
        .write(|tx| {
            for card in demo_products()? {
                products::upsert(tx, &card)?;
            }
            Ok::<_, anyhow::Error>(())
        })
        .context("adding the demo products")?;
    tracing::info!(data_dir = %dir.display(), throwaway = temp.is_some(), "demo prepared");
    Ok(DemoEnv {
        config,
        paths,
        store,
        temp,
    })
}

fn write_config(config: &Config, paths: &Paths) -> anyhow::Result<()> {
    let Some(file) = &paths.config_file else {
        return Ok(());
    };
    let text = format!(
        "# Demo configuration written by `egais-tui demo`; the organisation is fictional.\n{}",
        config.to_toml()?
    );
    std::fs::write(file, text).with_context(|| format!("writing {}", file.display()))
}

/// A fictional organisation whose identifiers pass every check (the INN has a valid
/// checksum), so the demo exercises the same paths as a real shop.
pub fn demo_config() -> Config {
    let mut c = Config::default();
    c.organisation.fsrar_id = "030000999001".into();
    c.organisation.inn = "7709991234".into();
    c.organisation.kpp = "770901001".into();
    c.organisation.name = "ООО «Демо-Магазин»".into();
    c.organisation.address = "г. Москва, ул. Примерная, д. 1".into();
    c.till.number = 1;
    c.till.outlet = "Демо-магазин у дома".into();
    c
}

fn producer(id: &str, name: &str, inn: &str, kpp: &str, region: &str) -> Option<Producer> {
    Some(Producer {
        client_reg_id: id.into(),
        full_name: name.into(),
        short_name: None,
        inn: Some(inn.into()),
        kpp: Some(kpp.into()),
        country: Some("643".into()),
        region: Some(region.into()),
        address: None,
    })
}

/// Vodka and wine with excise stamps, draught-free beer and cider without, each with an
/// EAN-13 whose check digit is right.
pub fn demo_products() -> anyhow::Result<Vec<ProductCard>> {
    let vol = |s: &str| Volume::parse(s).with_context(|| format!("demo volume {s}"));
    let pct = |s: &str| AlcoholPercent::parse(s).with_context(|| format!("demo strength {s}"));
    let price = |s: &str| Money::parse(s).with_context(|| format!("demo price {s}"));
    Ok(vec![
        ProductCard {
            alc_code: "0300000000000123451".into(),
            full_name: "Водка \"Демонстрационная\" 0,5 л".into(),
            short_name: Some("Водка Демо 0,5".into()),
            eans: vec!["4607012345011".into()],
            capacity: Some(vol("0,5")?),
            alc_percent: Some(pct("40")?),
            type_code: "200".into(),
            producer: producer(
                "010000000101",
                "АО «Демо-Ликёрка»",
                "5008123451",
                "500801001",
                "50",
            ),
            is_alcohol: true,
            needs_stamp: true,
            price: Some(price("499,90")?),
        },
        ProductCard {
            alc_code: "0300000000000123452".into(),
            full_name: "Вино столовое красное сухое \"Демо\" 0,75 л".into(),
            short_name: Some("Вино красное сухое 0,75".into()),
            eans: vec!["4607012345028".into()],
            capacity: Some(vol("0,75")?),
            alc_percent: Some(pct("12,5")?),
            type_code: "403".into(),
            producer: producer(
                "010000000102",
                "ООО «Демо-Винодельня»",
                "5008123451",
                "230801001",
                "23",
            ),
            is_alcohol: true,
            needs_stamp: true,
            price: Some(price("759,00")?),
        },
        ProductCard {
            alc_code: "0300000000000123453".into(),
            full_name: "Пиво светлое пастеризованное \"Демо\" 0,45 л".into(),
            short_name: Some("Пиво светлое 0,45".into()),
            eans: vec!["4607012345035".into()],
            capacity: Some(vol("0,45")?),
            alc_percent: Some(pct("4,7")?),
            type_code: "500".into(),
            producer: producer(
                "010000000103",
                "ООО «Демо-Пивоварня»",
                "5008123451",
                "780101001",
                "78",
            ),
            is_alcohol: true,
            needs_stamp: false,
            price: Some(price("119,90")?),
        },
        ProductCard {
            alc_code: "0300000000000123454".into(),
            full_name: "Сидр яблочный полусладкий \"Демо\" 0,5 л".into(),
            short_name: Some("Сидр яблочный 0,5".into()),
            eans: vec!["4607012345042".into()],
            capacity: Some(vol("0,5")?),
            alc_percent: Some(pct("5,5")?),
            type_code: "261".into(),
            producer: producer(
                "010000000104",
                "ООО «Демо-Сидрерия»",
                "5008123451",
                "010101001",
                "01",
            ),
            is_alcohol: true,
            needs_stamp: false,
            price: Some(price("149,00")?),
        },
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ean13_ok(code: &str) -> bool {
        let d: Vec<u32> = code.bytes().map(|b| u32::from(b - b'0')).collect();
        let sum: u32 = d[..12]
            .iter()
            .enumerate()
            .map(|(i, x)| if i % 2 == 1 { x * 3 } else { *x })
            .sum();
        d.len() == 13 && (10 - sum % 10) % 10 == d[12]
    }

    #[test]
    fn the_demo_config_passes_every_check() {
        let c = demo_config();
        let text = c.to_toml().unwrap();
        let back = Config::from_toml_str(Path::new("demo.toml"), &text).unwrap();
        assert_eq!(back, c);
        back.require_organisation().unwrap();
    }

    #[test]
    fn demo_products_are_realistic() {
        let cards = demo_products().unwrap();
        assert_eq!(cards.len(), 4);
        for c in &cards {
            assert_eq!(c.alc_code.len(), 19, "{}", c.alc_code);
            assert!(c.alc_code.bytes().all(|b| b.is_ascii_digit()));
            assert!(c.eans.iter().all(|e| ean13_ok(e)), "{:?}", c.eans);
            assert!(c.price.is_some());
            let inn = c.producer.as_ref().and_then(|p| p.inn.as_deref()).unwrap();
            assert!(crate::config::validate::inn(inn).is_ok(), "{inn}");
        }
        assert!(cards.iter().any(|c| c.is_beer_like() && !c.needs_stamp));
        assert!(cards.iter().any(|c| !c.is_beer_like() && c.needs_stamp));
    }

    #[test]
    fn a_throwaway_demo_cleans_up_and_a_kept_one_stays() {
        let mut env = prepare(None).unwrap();
        let dir = env.paths.data_dir.clone();
        assert!(env.is_throwaway());
        env.set_utm_url("http://127.0.0.1:45678").unwrap();
        let written = Config::load(Some(&dir.join(DEMO_CONFIG_FILE))).unwrap();
        assert_eq!(written.utm.url, "http://127.0.0.1:45678");
        let found = env
            .store
            .read(|r| products::by_ean(r, "4607012345035"))
            .unwrap()
            .unwrap();
        assert_eq!(found.type_code, "500");
        let (ctx, guard) = env.into_context();
        assert_eq!(ctx.config.utm.url, "http://127.0.0.1:45678");
        drop(ctx);
        drop(guard);
        assert!(!dir.exists());

        let kept = tempfile::tempdir().unwrap();
        let env = prepare(Some(kept.path())).unwrap();
        assert!(!env.is_throwaway());
        drop(env);
        // Preparing again on the same directory is harmless.
        let env = prepare(Some(kept.path())).unwrap();
        assert_eq!(env.store.read(products::all).unwrap().len(), 4);
        drop(env);
        assert!(kept.path().join(DEMO_CONFIG_FILE).exists());
    }
}
