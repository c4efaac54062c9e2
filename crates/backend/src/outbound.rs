//! Outbound HTTP (webhook deliveries, CRM requests) that cannot reach this machine or its
//! private network unless the settings allow private targets. The decision is made on the
//! address connected to, not the address typed: host names are resolved by [`PublicOnly`], the
//! resolver the client connects with, so a public name that resolves (or, later, re-resolves)
//! to 127.0.0.1 is refused at connect time; IP literals, which the HTTP stack never resolves,
//! are checked by [`Outbound::send`] on every request. Redirects are not followed (a 3xx is
//! the answer), and proxies from the environment are ignored, so no other hop connects.

use std::net::SocketAddr;
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::{IntoUrl, Method, RequestBuilder, Response, Url};

use domain::net;

/// Why a request was not sent, or what went wrong sending it.
#[derive(Debug)]
pub enum SendError {
    /// The target is internal and private targets are not allowed.
    Refused(String),
    Http(reqwest::Error),
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::Refused(why) => f.write_str(why),
            // With its causes: "error sending request" alone hides why (refused, timed out).
            SendError::Http(err) => {
                write!(f, "{err}")?;
                let mut source = std::error::Error::source(err);
                while let Some(cause) = source {
                    write!(f, ": {cause}")?;
                    source = cause.source();
                }
                Ok(())
            }
        }
    }
}

/// An HTTP client for requests to other parties' servers.
#[derive(Debug, Clone)]
pub struct Outbound {
    http: reqwest::Client,
    allow_private: bool,
}

impl Outbound {
    /// `builder` carries the caller's timeout and user agent; this adds the address rules.
    pub fn new(builder: reqwest::ClientBuilder, allow_private: bool) -> Outbound {
        let builder = builder
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy();
        let builder = if allow_private {
            builder
        } else {
            builder.dns_resolver(Arc::new(PublicOnly))
        };
        Outbound {
            http: builder.build().expect("an HTTP client with rustls builds"),
            allow_private,
        }
    }

    pub fn allows_private(&self) -> bool {
        self.allow_private
    }

    pub fn request(&self, method: Method, url: impl IntoUrl) -> RequestBuilder {
        self.http.request(method, url)
    }

    pub fn get(&self, url: impl IntoUrl) -> RequestBuilder {
        self.http.get(url)
    }

    pub fn post(&self, url: impl IntoUrl) -> RequestBuilder {
        self.http.post(url)
    }

    pub fn patch(&self, url: impl IntoUrl) -> RequestBuilder {
        self.http.patch(url)
    }

    /// Sends `request` unless its URL names an internal address (names are checked when the
    /// client resolves them).
    pub async fn send(&self, request: RequestBuilder) -> Result<Response, SendError> {
        let request = request.build().map_err(SendError::Http)?;
        if !self.allow_private {
            refuse_internal(request.url())?;
        }
        self.http
            .execute(request)
            .await
            .map_err(|err| match private_target_in(&err) {
                Some(refused) => SendError::Refused(refused.0.clone()),
                None => SendError::Http(err),
            })
    }
}

/// The URL's host, read as the client will connect to it, must not be internal.
fn refuse_internal(url: &Url) -> Result<(), SendError> {
    let internal = match url.host() {
        Some(url::Host::Ipv4(ip)) => !net::is_public(ip.into()),
        Some(url::Host::Ipv6(ip)) => !net::is_public(ip.into()),
        Some(url::Host::Domain(name)) => net::is_internal_name(name),
        None => true,
    };
    if internal {
        Err(SendError::Refused(format!(
            "{} is on a private network; private targets are not allowed.",
            url.host_str().unwrap_or("The address")
        )))
    } else {
        Ok(())
    }
}

/// Resolves names with the system resolver and refuses the name when any of its addresses is
/// internal, so the connection can only go to the public addresses it returns.
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            if net::is_internal_name(&host) {
                return Err(refused(&host).into());
            }
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            match public_only(addrs) {
                Some(addrs) => Ok(Box::new(addrs.into_iter()) as Addrs),
                None => Err(refused(&host).into()),
            }
        })
    }
}

/// The resolver's refusal, carried up through the HTTP client's error.
#[derive(Debug)]
struct PrivateTarget(String);

impl std::fmt::Display for PrivateTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PrivateTarget {}

fn refused(host: &str) -> PrivateTarget {
    PrivateTarget(format!(
        "{host} is on a private network; private targets are not allowed."
    ))
}

fn private_target_in(err: &reqwest::Error) -> Option<&PrivateTarget> {
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        if let Some(refused) = cause.downcast_ref::<PrivateTarget>() {
            return Some(refused);
        }
        source = cause.source();
    }
    None
}

/// The addresses, when every one is public and there is at least one.
fn public_only(addrs: Vec<SocketAddr>) -> Option<Vec<SocketAddr>> {
    (!addrs.is_empty() && addrs.iter().all(|a| net::is_public(a.ip()))).then_some(addrs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_with_any_internal_address_is_refused() {
        let public: SocketAddr = "93.184.215.14:0".parse().unwrap();
        let internal: SocketAddr = "10.0.0.5:0".parse().unwrap();
        assert_eq!(public_only(vec![public]), Some(vec![public]));
        assert_eq!(public_only(vec![public, internal]), None);
        assert_eq!(public_only(vec![]), None);
    }

    #[test]
    fn literal_addresses_are_read_as_the_client_reads_them() {
        for url in [
            "http://2130706433:9/",
            "http://0x7f.1:9/",
            "http://0177.0.0.1/",
            "http://127.1/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::1]/",
            "http://localhost./",
            "http://169.254.169.254/latest/meta-data",
        ] {
            let url = Url::parse(url).unwrap();
            assert!(refuse_internal(&url).is_err(), "{url}");
        }
        assert!(refuse_internal(&Url::parse("https://api.hubapi.com/").unwrap()).is_ok());
    }
}
