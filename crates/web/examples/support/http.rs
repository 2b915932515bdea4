//! What the benchmark examples share: their arguments, and a minimal HTTP/1.1 client on loopback that
//! signs in through the sign-in form as a browser would. Included with `#[path]` (not an example).

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned().unwrap_or_else(|| default.to_owned())
}

pub struct Reply {
    pub status: u16,
    pub headers: String,
    pub body: Vec<u8>,
}

pub async fn exchange(stream: &mut TcpStream, request: &str) -> anyhow::Result<Reply> {
    stream.write_all(request.as_bytes()).await?;
    let mut buf = Vec::with_capacity(64 * 1024);
    let mut chunk = [0u8; 16384];
    let header_end = loop {
        let n = stream.read(&mut chunk).await?;
        anyhow::ensure!(n > 0, "connection closed");
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let headers = String::from_utf8_lossy(&buf[..header_end]).into_owned();
    let status: u16 = headers.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let length: usize = headers
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
        .unwrap_or(0);
    while buf.len() < header_end + length {
        let n = stream.read(&mut chunk).await?;
        anyhow::ensure!(n > 0, "connection closed mid-body");
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(Reply { status, headers, body: buf[header_end..header_end + length].to_vec() })
}

pub fn cookie(headers: &str, name: &str) -> Option<String> {
    headers.lines().filter(|l| l.to_ascii_lowercase().starts_with("set-cookie:")).find_map(|l| {
        let value = l.split_once(':')?.1.trim();
        let pair = value.split(';').next()?;
        pair.starts_with(&format!("{name}=")).then(|| pair.to_owned())
    })
}

pub async fn sign_in(addr: &str, user: &str, password: &str) -> anyhow::Result<String> {
    let mut s = TcpStream::connect(addr).await?;
    let page = exchange(&mut s, &format!("GET /sign-in HTTP/1.1\r\nHost: {addr}\r\n\r\n")).await?;
    let pre = cookie(&page.headers, "waymark_signin")
        .or_else(|| cookie(&page.headers, "__Host-waymark_signin"))
        .ok_or_else(|| anyhow::anyhow!("no sign-in cookie"))?;
    let token = pre.split_once('=').map(|(_, v)| v.to_owned()).unwrap_or_default();
    let body = format!("csrf={token}&username={user}&password={password}");
    let req = format!(
        "POST /sign-in HTTP/1.1\r\nHost: {addr}\r\nCookie: {pre}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let reply = exchange(&mut s, &req).await?;
    anyhow::ensure!(reply.status == 303, "sign-in answered {}: {}", reply.status, String::from_utf8_lossy(&reply.body));
    cookie(&reply.headers, "waymark_session")
        .or_else(|| cookie(&reply.headers, "__Host-waymark_session"))
        .ok_or_else(|| anyhow::anyhow!("no session cookie"))
}
