//! The simulator's HTTP face: the real UTM's endpoints plus `/sim/*` controls.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use super::docs;
use super::state::{Faults, PostError, PostOk, SimState, StampStatus};
use crate::egais::utm::info::format_utm_date;

/// Shared between the server, the control API and the listener.
#[derive(Clone)]
pub struct Shared {
    pub state: Arc<Mutex<SimState>>,
    /// Mirrors `faults.down` for the listener, which must not take the lock.
    pub down: Arc<AtomicBool>,
    pub base_url: String,
}

impl Shared {
    pub fn lock(&self) -> MutexGuard<'_, SimState> {
        // A panic while holding the lock would only come from a bug in the simulator;
        // the state is still usable for a test double.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub fn router(shared: Shared) -> Router {
    Router::new()
        .route("/opt/in", get(in_list))
        .route("/opt/in/{doc_type}", post(post_document))
        .route("/opt/in/{doc_type}/{id}", get(in_get))
        .route("/opt/out", get(out_list))
        .route("/opt/out/{doc_type}", get(out_list_typed))
        .route("/opt/out/{doc_type}/{id}", get(out_get).delete(out_delete))
        .route("/xml", post(post_cheque))
        .route("/api/info/list", get(info_list))
        .route("/diagnosis", get(diagnosis))
        .route("/info/version", get(version))
        .layer(middleware::from_fn_with_state(shared.clone(), faults_layer))
        .route("/sim/fault", get(get_faults).post(set_faults))
        .route("/sim/seed", post(seed))
        .route("/sim/state", get(sim_state))
        .with_state(shared)
}

fn xml(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

fn json<T: serde::Serialize>(value: &T) -> Response {
    match serde_json::to_string(value) {
        Ok(body) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn faults_layer(State(s): State<Shared>, req: Request, next: Next) -> Response {
    let (slow, fail) = {
        let st = s.lock();
        (st.faults.slow_ms, st.faults.http_500)
    };
    if slow > 0 {
        tokio::time::sleep(Duration::from_millis(slow)).await;
    }
    if fail {
        return xml(
            StatusCode::INTERNAL_SERVER_ERROR,
            docs::error_answer("Внутренняя ошибка УТМ"),
        );
    }
    {
        s.lock().advance(Instant::now());
    }
    next.run(req).await
}

async fn read_xml_file(mut form: Multipart) -> Result<Vec<u8>, PostError> {
    let bad = |m: String| PostError {
        status: 400,
        message: m,
    };
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| bad(format!("Неверный запрос: {e}")))?
    {
        if field.name() == Some("xml_file") {
            let bytes = field
                .bytes()
                .await
                .map_err(|e| bad(format!("Неверный запрос: {e}")))?;
            return Ok(bytes.to_vec());
        }
    }
    Err(bad("В запросе нет файла xml_file".into()))
}

async fn post_result(s: &Shared, r: Result<PostOk, PostError>) -> Response {
    let delay = s.lock().faults.reply_delay_ms;
    if delay > 0 && r.is_ok() {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    match r {
        Ok(ok) => {
            if s.lock().faults.malformed_reply {
                return xml(StatusCode::OK, format!("<A><url>{}</url><sign", ok.url));
            }
            xml(StatusCode::OK, docs::post_answer(&ok.url, &ok.sign, ok.ver))
        }
        Err(e) => xml(
            StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
            docs::error_answer(&e.message),
        ),
    }
}

async fn post_document(
    State(s): State<Shared>,
    Path(doc_type): Path<String>,
    form: Multipart,
) -> Response {
    let r = match read_xml_file(form).await {
        Ok(bytes) => s.lock().post_document(&doc_type, bytes),
        Err(e) => Err(e),
    };
    post_result(&s, r).await
}

async fn post_cheque(State(s): State<Shared>, form: Multipart) -> Response {
    let r = match read_xml_file(form).await {
        Ok(bytes) => s.lock().post_cheque(bytes),
        Err(e) => Err(e),
    };
    post_result(&s, r).await
}

async fn in_list(State(s): State<Shared>) -> Response {
    let list = s.lock().in_list();
    xml(StatusCode::OK, docs::url_list(&s.base_url, "in", &list))
}

fn raw(bytes: Option<Vec<u8>>) -> Response {
    match bytes {
        Some(b) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
            Bytes::from(b),
        )
            .into_response(),
        None => xml(
            StatusCode::NOT_FOUND,
            docs::error_answer("Документ не найден"),
        ),
    }
}

async fn in_get(State(s): State<Shared>, Path((t, id)): Path<(String, u64)>) -> Response {
    raw(s.lock().in_get(&t, id))
}

async fn out_list(State(s): State<Shared>) -> Response {
    let list = s.lock().out_list(None);
    xml(StatusCode::OK, docs::url_list(&s.base_url, "out", &list))
}

async fn out_list_typed(State(s): State<Shared>, Path(t): Path<String>) -> Response {
    let list = s.lock().out_list(Some(&t));
    xml(StatusCode::OK, docs::url_list(&s.base_url, "out", &list))
}

async fn out_get(State(s): State<Shared>, Path((t, id)): Path<(String, u64)>) -> Response {
    raw(s.lock().out_get(&t, id))
}

async fn out_delete(State(s): State<Shared>, Path((t, id)): Path<(String, u64)>) -> Response {
    if s.lock().out_delete(&t, id) {
        StatusCode::OK.into_response()
    } else {
        xml(
            StatusCode::NOT_FOUND,
            docs::error_answer("Документ не найден"),
        )
    }
}

async fn info_list(State(s): State<Shared>) -> Response {
    let st = s.lock();
    if st.faults.legacy_utm {
        return (StatusCode::NOT_FOUND, "Not Found").into_response();
    }
    let id = st.reported_fsrar_id();
    let now = jiff::Timestamp::now();
    let year = jiff::SignedDuration::from_hours(24 * 365);
    let (rsa_start, rsa_end, valid) = if st.faults.expired_certificate {
        (
            now - year - year,
            now - jiff::SignedDuration::from_hours(24),
            "invalid",
        )
    } else {
        (now - year / 2, now + year / 2, "valid")
    };
    let body = serde_json::json!({
        "version": "4.2.0",
        "contour": "test",
        "rsaError": null,
        "checkInfo": null,
        "ownerId": id,
        "db": {"createDate": "2026-01-15 10:00:00.000", "ownerId": id},
        "rsa": {"certType": "RSA", "startDate": format_utm_date(rsa_start),
                "expireDate": format_utm_date(rsa_end), "isValid": valid,
                "issuer": "test.pki.fsrar.ru"},
        "gost": {"certType": "GOST", "startDate": format_utm_date(now - year / 2),
                 "expireDate": format_utm_date(now + year / 2), "isValid": "valid",
                 "issuer": "Тестовый УЦ"},
        "license": true
    });
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

async fn diagnosis(State(s): State<Shared>) -> Response {
    let id = s.lock().reported_fsrar_id();
    xml(
        StatusCode::OK,
        format!("<CERTIFICATE><CN>{id}</CN><OU>УТМ-симулятор</OU></CERTIFICATE>"),
    )
}

async fn version() -> Response {
    (StatusCode::OK, "4.2.0 (egais-tui simulator)").into_response()
}

async fn get_faults(State(s): State<Shared>) -> Response {
    json(&s.lock().faults.clone())
}

async fn set_faults(State(s): State<Shared>, body: Bytes) -> Response {
    match serde_json::from_slice::<Faults>(&body) {
        Ok(f) => {
            s.down.store(f.down, Ordering::SeqCst);
            s.lock().faults = f.clone();
            json(&f)
        }
        Err(e) => (StatusCode::BAD_REQUEST, format!("bad fault JSON: {e}")).into_response(),
    }
}

#[derive(Deserialize)]
struct SeedQuery {
    count: Option<usize>,
}

async fn seed(State(s): State<Shared>, Query(q): Query<SeedQuery>) -> Response {
    let made = s.lock().seed_invoices(q.count.unwrap_or(1).min(100));
    json(&made)
}

async fn sim_state(State(s): State<Shared>) -> Response {
    let st = s.lock();
    let body = serde_json::json!({
        "register1": st.register1().into_iter()
            .map(|(fb, alc, q)| serde_json::json!({"f2_reg_id": fb, "alc_code": alc, "quantity": q.to_string()}))
            .collect::<Vec<_>>(),
        "register2": st.register2().into_iter()
            .map(|(alc, q)| serde_json::json!({"alc_code": alc, "quantity": q.to_string()}))
            .collect::<Vec<_>>(),
        "stamps_on_balance": st.stamps_with(StampStatus::OnBalance),
        "stamps_in_transit": st.stamps_with(StampStatus::InTransit).len(),
        "received": st.received().len(),
        "opt_out": st.out_len(),
        "opt_in": st.in_len(),
    });
    json(&body)
}

/// A listener that drops every connection while the simulated UTM is "down", and breaks
/// connections that were open when it went down (clients pool connections).
pub struct DownAwareListener {
    pub inner: TcpListener,
    pub down: Arc<AtomicBool>,
}

impl axum::serve::Listener for DownAwareListener {
    type Io = DownAwareIo;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, addr)) => {
                    if self.down.load(Ordering::SeqCst) {
                        drop(stream);
                        continue;
                    }
                    return (
                        DownAwareIo {
                            inner: stream,
                            down: self.down.clone(),
                        },
                        addr,
                    );
                }
                Err(e) => {
                    tracing::debug!(error = %e, "simulator: accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

pub struct DownAwareIo {
    inner: TcpStream,
    down: Arc<AtomicBool>,
}

fn reset() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionReset, "simulated UTM is down")
}

impl AsyncRead for DownAwareIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.down.load(Ordering::SeqCst) {
            return Poll::Ready(Err(reset()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for DownAwareIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.down.load(Ordering::SeqCst) {
            return Poll::Ready(Err(reset()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
