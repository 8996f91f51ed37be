//! The real evdev path end to end with a virtual keyboard (uinput): the reader opens
//! and grabs the device, decodes a scan with GS, reports unplugging and finds the
//! scanner again when it comes back. Needs a writable /dev/uinput; where the machine
//! has none (containers, CI) the test says so and passes without running, and the
//! decoder is covered by recorded streams (scanner_fixtures, scanner_evdev).
#![cfg(target_os = "linux")]

mod scanner_support;

use std::path::PathBuf;
use std::time::Duration;

use egais_tui::scanner::evdev_reader;
use egais_tui::scanner::simulate::{EvdevStyle, evdev_keys};
use egais_tui::scanner::{ScanSource, ScannerStatus};
use evdev::uinput::VirtualDevice;
use evdev::{AttributeSet, BusType, Device, EventType, InputEvent, InputId, KeyCode};
use scanner_support::*;
use tokio::sync::mpsc;
use tokio::time::timeout;

const WAIT: Duration = Duration::from_secs(10);

fn uinput_unavailable() -> Option<String> {
    match std::fs::OpenOptions::new().write(true).open("/dev/uinput") {
        Ok(_) => None,
        Err(e) => Some(format!("/dev/uinput cannot be opened for writing: {e}")),
    }
}

fn virtual_scanner(name: &str) -> std::io::Result<(VirtualDevice, PathBuf)> {
    let mut keys = AttributeSet::<KeyCode>::new();
    for code in 1..=200u16 {
        keys.insert(KeyCode::new(code));
    }
    let mut dev = VirtualDevice::builder()?
        .name(name)
        .input_id(InputId::new(BusType::BUS_USB, 0x1eab, 0x0d22, 1))
        .with_keys(&keys)?
        .build()?;
    // udev may need a moment to create the node.
    for _ in 0..100 {
        if let Some(Ok(path)) = dev.enumerate_dev_nodes_blocking()?.next()
            && Device::open(&path).is_ok()
        {
            return Ok((dev, path));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::NotFound,
        "the virtual device node did not appear",
    ))
}

fn type_code(dev: &mut VirtualDevice, code: &str) -> std::io::Result<()> {
    for (key, value) in evdev_keys(code, EvdevStyle::default()) {
        dev.emit(&[InputEvent::new(EventType::KEY.0, key, value)])?;
        std::thread::sleep(Duration::from_millis(1));
    }
    Ok(())
}

async fn next_status(statuses: &mut mpsc::Receiver<ScannerStatus>) -> ScannerStatus {
    timeout(WAIT, statuses.recv())
        .await
        .expect("a status in time")
        .expect("the status channel open")
}

#[tokio::test]
async fn evdev_reader_on_a_virtual_scanner() {
    if let Some(reason) = uinput_unavailable() {
        println!(
            "SKIPPED evdev_reader_on_a_virtual_scanner: {reason}. \
             The decoder is tested on recorded streams instead."
        );
        return;
    }
    let name = format!("egais-tui test scanner {}", std::process::id());
    let (mut vdev, path) = virtual_scanner(&name).expect("virtual scanner");
    let (scan_tx, mut scans) = mpsc::channel(8);
    let (status_tx, mut statuses) = mpsc::channel(8);
    let reader = evdev_reader::spawn(path.clone(), cfg(), scan_tx, status_tx);

    assert!(matches!(
        next_status(&mut statuses).await,
        ScannerStatus::Connected { .. }
    ));
    // Grabbed: nobody else may grab it now.
    let mut other = Device::open(&path).expect("open a second time");
    assert!(other.grab().is_err(), "the reader must hold the grab");
    drop(other);

    type_code(&mut vdev, HONEST_SIGN).expect("emit");
    let scan = timeout(WAIT, scans.recv())
        .await
        .expect("a scan in time")
        .expect("channel open");
    assert_eq!(scan.code, HONEST_SIGN);
    assert_eq!(scan.source, ScanSource::Evdev);

    // Unplug, then plug the same scanner back in.
    drop(vdev);
    assert!(matches!(
        next_status(&mut statuses).await,
        ScannerStatus::Disconnected { .. }
    ));
    let (mut vdev, _path) = virtual_scanner(&name).expect("virtual scanner again");
    assert!(matches!(
        next_status(&mut statuses).await,
        ScannerStatus::Connected { .. }
    ));
    type_code(&mut vdev, DATAMATRIX).expect("emit");
    let scan = timeout(WAIT, scans.recv())
        .await
        .expect("a scan after re-plugging")
        .expect("channel open");
    assert_eq!(scan.code, DATAMATRIX);

    drop(scans);
    timeout(WAIT, reader)
        .await
        .expect("the reader stops when nobody listens")
        .expect("no panic");
}

#[tokio::test]
async fn an_unreadable_device_reports_the_fix() {
    // Runs everywhere: a missing device is reported, and the reader keeps waiting.
    let (scan_tx, scans) = mpsc::channel(8);
    let (status_tx, mut statuses) = mpsc::channel(8);
    let missing = PathBuf::from("/dev/input/by-id/egais-tui-test-no-such-scanner");
    let reader = evdev_reader::spawn(missing.clone(), cfg(), scan_tx, status_tx);
    assert_eq!(
        next_status(&mut statuses).await,
        ScannerStatus::Disconnected { device: missing }
    );
    assert!(!reader.is_finished());
    drop(scans);
    timeout(WAIT, reader)
        .await
        .expect("the reader stops when nobody listens")
        .expect("no panic");
    let denied = ScannerStatus::NoPermission {
        device: "/dev/input/event7".into(),
    };
    assert!(denied.message_ru().contains("99-egais-tui-scanner.rules"));
}
