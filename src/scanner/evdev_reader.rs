//! The thin I/O around [`EvdevDecoder`]: a tokio task that opens the scanner's input
//! device, grabs it (so scans never also reach the console), feeds the decoder with
//! kernel-timestamped key events and sends complete scans to the UI. When the device
//! goes away it keeps trying every [`RETRY`], re-finding the same scanner by name and
//! USB id if it comes back under another `eventN`.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use evdev::{Device, EventSummary, InputId};
use tokio::sync::mpsc;

use super::evdev_decoder::EvdevDecoder;
use super::{ScanEvent, ScannerStatus};
use crate::config;

/// How often a missing or unreadable device is tried again.
pub const RETRY: Duration = Duration::from_millis(1500);
/// How long to wait for keys held on the device to be released before grabbing;
/// grabbing with a key down leaves it stuck for other readers.
const GRAB_SETTLE: Duration = Duration::from_secs(2);

/// What identifies "our" scanner across re-plugging.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Identity {
    name: String,
    vendor: u16,
    product: u16,
}

impl Identity {
    fn of(dev: &Device) -> Identity {
        let id: InputId = dev.input_id();
        Identity {
            name: dev.name().unwrap_or_default().to_string(),
            vendor: id.vendor(),
            product: id.product(),
        }
    }
}

/// Starts the reader. It ends when the scan receiver is dropped.
pub fn spawn(
    device: PathBuf,
    cfg: config::Scanner,
    scans: mpsc::Sender<ScanEvent>,
    status: mpsc::Sender<ScannerStatus>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(run(device, cfg, scans, status))
}

struct StatusReporter {
    tx: mpsc::Sender<ScannerStatus>,
    last: Option<ScannerStatus>,
}

impl StatusReporter {
    /// Sends only changes, so a retry loop does not flood the status bar.
    async fn report(&mut self, status: ScannerStatus) {
        if self.last.as_ref() == Some(&status) {
            return;
        }
        match &status {
            ScannerStatus::Connected { device, name } => {
                tracing::info!(device = %device.display(), name, "scanner connected and grabbed");
            }
            other => tracing::warn!(status = ?other, "scanner status"),
        }
        self.last = Some(status.clone());
        // Nobody listening to the status is fine; scans are what matter.
        let _ = self.tx.send(status).await;
    }
}

enum ReadEnd {
    ReceiverGone,
    Lost(std::io::Error),
}

/// One raw key event as read, for `scanner test --record`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawKey {
    pub code: u16,
    pub value: i32,
    pub at: SystemTime,
}

/// The reader loop; public for callers that manage their own task.
pub async fn run(
    device: PathBuf,
    cfg: config::Scanner,
    scans: mpsc::Sender<ScanEvent>,
    status: mpsc::Sender<ScannerStatus>,
) {
    run_with_tap(device, cfg, scans, status, None).await;
}

/// [`run`], also copying every key event to `tap`.
pub async fn run_with_tap(
    device: PathBuf,
    cfg: config::Scanner,
    scans: mpsc::Sender<ScanEvent>,
    status: mpsc::Sender<ScannerStatus>,
    tap: Option<mpsc::UnboundedSender<RawKey>>,
) {
    let mut decoder = EvdevDecoder::new(&cfg);
    let mut reporter = StatusReporter {
        tx: status,
        last: None,
    };
    let mut identity: Option<Identity> = None;
    loop {
        match open(&device, identity.as_ref()) {
            Ok((dev, path)) => {
                let id = Identity::of(&dev);
                decoder.reset();
                let io = Io {
                    scans: &scans,
                    tap: tap.as_ref(),
                };
                match read(dev, &path, &id, &mut decoder, io, &mut reporter).await {
                    ReadEnd::ReceiverGone => return,
                    ReadEnd::Lost(e) => {
                        tracing::warn!(device = %path.display(), error = %e, "scanner lost");
                        reporter.report(status_for_error(&device, &e)).await;
                    }
                }
                identity = Some(id);
            }
            Err(e) => reporter.report(status_for_error(&device, &e)).await,
        }
        tokio::select! {
            () = scans.closed() => return,
            () = tokio::time::sleep(RETRY) => {}
        }
    }
}

/// ENODEV: the device was unplugged under us.
const ENODEV: i32 = 19;

fn status_for_error(device: &Path, e: &std::io::Error) -> ScannerStatus {
    if e.raw_os_error() == Some(ENODEV) {
        return ScannerStatus::Disconnected {
            device: device.to_path_buf(),
        };
    }
    match e.kind() {
        std::io::ErrorKind::NotFound => ScannerStatus::Disconnected {
            device: device.to_path_buf(),
        },
        std::io::ErrorKind::PermissionDenied => ScannerStatus::NoPermission {
            device: device.to_path_buf(),
        },
        _ => ScannerStatus::Failed {
            device: device.to_path_buf(),
            error: e.to_string(),
        },
    }
}

/// Opens the configured path; once the scanner is known, a device at that path that
/// is not it (a `/dev/input/eventN` number reused) is refused and the scanner is
/// looked for among all devices instead.
fn open(path: &Path, known: Option<&Identity>) -> std::io::Result<(Device, PathBuf)> {
    let direct = Device::open(path);
    match (direct, known) {
        (Ok(dev), None) => Ok((dev, path.to_path_buf())),
        (Ok(dev), Some(id)) if Identity::of(&dev) == *id => Ok((dev, path.to_path_buf())),
        (Err(e), None) => Err(e),
        (direct, Some(id)) => evdev::enumerate()
            .find(|(_, dev)| Identity::of(dev) == *id)
            .map(|(p, dev)| (dev, p))
            .ok_or_else(|| match direct {
                Err(e) => e,
                Ok(_) => std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "another device is now at the configured path",
                ),
            }),
    }
}

async fn grab_when_idle(dev: &mut Device) -> std::io::Result<()> {
    let started = tokio::time::Instant::now();
    while dev
        .get_key_state()
        .is_ok_and(|keys| keys.iter().next().is_some())
        && started.elapsed() < GRAB_SETTLE
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    dev.grab()
}

#[derive(Clone, Copy)]
struct Io<'a> {
    scans: &'a mpsc::Sender<ScanEvent>,
    tap: Option<&'a mpsc::UnboundedSender<RawKey>>,
}

async fn read(
    mut dev: Device,
    path: &Path,
    id: &Identity,
    decoder: &mut EvdevDecoder,
    io: Io<'_>,
    reporter: &mut StatusReporter,
) -> ReadEnd {
    let scans = io.scans;
    if let Err(e) = grab_when_idle(&mut dev).await {
        return ReadEnd::Lost(e);
    }
    let mut stream = match dev.into_event_stream() {
        Ok(s) => s,
        Err(e) => return ReadEnd::Lost(e),
    };
    reporter
        .report(ScannerStatus::Connected {
            device: path.to_path_buf(),
            name: id.name.clone(),
        })
        .await;
    loop {
        let wait = decoder.deadline().map(|d| {
            d.duration_since(SystemTime::now())
                .unwrap_or(Duration::ZERO)
        });
        let next = async {
            match wait {
                Some(w) => tokio::time::timeout(w, stream.next_event()).await.ok(),
                None => Some(stream.next_event().await),
            }
        };
        let event = tokio::select! {
            () = scans.closed() => {
                let _ = stream.device_mut().ungrab();
                return ReadEnd::ReceiverGone;
            }
            e = next => e,
        };
        let scan = match event {
            None => decoder.tick(SystemTime::now()),
            Some(Err(e)) => return ReadEnd::Lost(e),
            Some(Ok(ev)) => {
                let ts = ev.timestamp();
                match ev.destructure() {
                    EventSummary::Key(_, key, value) => {
                        if let Some(tap) = io.tap {
                            let _ = tap.send(RawKey {
                                code: key.code(),
                                value,
                                at: ts,
                            });
                        }
                        decoder.feed(key.code(), value, ts)
                    }
                    _ => None,
                }
            }
        };
        if let Some(scan) = scan
            && scans.send(scan).await.is_err()
        {
            return ReadEnd::ReceiverGone;
        }
    }
}
