//! [`Payload`]: a generated call's result, turned into the payload or one [`CallError`].

use serde::de::DeserializeOwned;

use crate::call::{
    honours_retry_after, retry_after, CallError, CallErrorKind, CallTag, Ending, NoToken, Transport,
};
use crate::envelope::{ApiError, Envelope};
use crate::{types, Error, ResponseValue};

/// Turns what a generated `send()` returns into the payload, or a [`CallError`] that covers every
/// way the call can fail (token, network, HTTP status, `response_code`, unreadable body).
///
/// ```no_run
/// use enkash::Payload;
///
/// # async fn demo(client: enkash::Client) -> Result<(), Box<dyn std::error::Error>> {
/// let order = client.get_order_status().order_id("ORD_1").send().await.payload()?;
/// println!("{:?}", order.status);
/// # Ok(()) }
/// ```
pub trait Payload {
    /// What a successful call hands back.
    type Output;

    /// The payload, or why there is none.
    fn payload(self) -> Result<Self::Output, CallError>;
}

impl<T> Payload for Result<ResponseValue<T>, Error<types::ErrorBody>>
where
    T: Envelope + DeserializeOwned,
{
    type Output = T::Payload;

    fn payload(self) -> Result<T::Payload, CallError> {
        match self {
            Ok(value) => {
                let tag = CallTag::of_headers(value.headers());
                value
                    .into_inner()
                    .into_payload()
                    .map_err(|refusal| refused(refusal).tagged(tag))
            }
            Err(error) => Err(from_generated::<T>(error)),
        }
    }
}

/// The [`Payload`] of an operation whose answer is `text/plain` rather than an envelope
/// (`resend_otp`): the text, or one [`CallError`] for every way the call can fail. The answer
/// was read whole, within the client's size limit, before this runs.
///
/// ```no_run
/// use enkash::TextPayload;
///
/// # async fn demo(client: enkash::Client) -> Result<(), Box<dyn std::error::Error>> {
/// let text = client
///     .resend_otp()
///     .enkash_transaction_id("TXN_1")
///     .send()
///     .await
///     .text_payload()
///     .await?;
/// println!("EnKash says: {text}");
/// # Ok(()) }
/// ```
pub trait TextPayload {
    /// The answer's text, or why there is none.
    fn text_payload(self) -> impl std::future::Future<Output = Result<String, CallError>> + Send;
}

impl TextPayload for Result<ResponseValue<progenitor_client::ByteStream>, Error<types::ErrorBody>> {
    async fn text_payload(self) -> Result<String, CallError> {
        let value = self.map_err(from_generated::<serde::de::IgnoredAny>)?;
        let tag = CallTag::of_headers(value.headers());
        let plain_text = value
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|media| media.trim().eq_ignore_ascii_case("text/plain"));
        let mut stream = value.into_inner().into_inner();
        let mut body = Vec::new();
        while let Some(chunk) =
            std::future::poll_fn(|cx| futures_core::Stream::poll_next(stream.as_mut(), cx)).await
        {
            let chunk = chunk.map_err(|error| {
                CallError::new(CallErrorKind::ConnectionLost, error.to_string()).tagged(tag)
            })?;
            body.extend_from_slice(&chunk);
        }
        let text = String::from_utf8(body).map_err(|_| {
            CallError::new(CallErrorKind::Decode, "the text reply is not UTF-8").tagged(tag)
        })?;
        // The spec promises `text/plain`: a JSON envelope (a refusal, say) or a firewall's HTML
        // page is not that answer, whatever its status.
        let markup = text.trim_start().starts_with(['{', '[', '<']);
        if !plain_text || markup {
            let problem = "the reply is not the plain text the spec describes (another content \
                           type, JSON or markup)";
            return Err(CallError::new(CallErrorKind::Decode, problem).tagged(tag));
        }
        Ok(text)
    }
}

fn refused(refusal: ApiError) -> CallError {
    match refusal {
        ApiError::Refused { code, message } => {
            CallError::new(CallErrorKind::Refused, message).with_response_code(Some(code))
        }
        ApiError::MissingPayload => CallError::new(
            CallErrorKind::Decode,
            "response_code was 0 but there was no payload",
        ),
        ApiError::MissingCode => CallError::new(
            CallErrorKind::Decode,
            "the reply carries no result code, so it says neither success nor refusal",
        ),
    }
}

/// A failed generated call as a [`CallError`]; `T` is the reply type, used to name the field
/// of a reply that did not decode.
fn from_generated<T: DeserializeOwned>(error: Error<types::ErrorBody>) -> CallError {
    match error {
        Error::Custom(message) => match NoToken::decode(&message) {
            Some((NoToken::Rejected, text)) => CallError::new(CallErrorKind::Credentials, text),
            Some((NoToken::Unavailable, text)) => {
                CallError::new(CallErrorKind::TokenUnavailable, text)
            }
            None => CallError::new(CallErrorKind::InvalidRequest, message),
        },
        Error::InvalidRequest(message) => CallError::new(CallErrorKind::InvalidRequest, message),
        Error::CommunicationError(mut error)
        | Error::ResponseBodyError(mut error)
        | Error::InvalidUpgrade(mut error) => {
            let tag = CallTag::take_from_error(&mut error);
            let oversized = tag.is_some_and(|tag| tag.ending == Ending::Oversized);
            let transport = Transport::of(&error);
            let (kind, detail) = if transport == Transport::Timeout {
                // Also a body that trickled in too slowly, which reqwest calls a decode error.
                (CallErrorKind::Timeout, "")
            } else if error.is_decode() {
                let detail = match oversized {
                    true => "the reply is larger than the client's limit (ClientBuilder::max_response_bytes) and was not read",
                    false => "the reply is not JSON",
                };
                (CallErrorKind::Decode, detail)
            } else if error.status().is_some() {
                (
                    CallErrorKind::HttpStatus,
                    "the error body is not the documented shape",
                )
            } else {
                match transport {
                    Transport::NotBuilt => (
                        CallErrorKind::InvalidRequest,
                        "the request body could not be written as JSON",
                    ),
                    Transport::NotSent => (CallErrorKind::NotSent, ""),
                    Transport::Timeout => (CallErrorKind::Timeout, ""),
                    Transport::Lost => (CallErrorKind::ConnectionLost, ""),
                }
            };
            CallError::new(kind, detail)
                .with_http_status(error.status().map(|s| s.as_u16()))
                .with_retry_after(tag.and_then(CallTag::retry_after))
                .with_oversized(oversized)
                .with_source(error)
                .tagged(tag)
        }
        Error::ErrorResponse(response) => {
            let tag = CallTag::of_headers(response.headers());
            let status = response.status();
            let retry_after = honours_retry_after(status.as_u16())
                .then(|| retry_after(response.headers()))
                .flatten();
            let body = response.into_inner();
            CallError::new(
                CallErrorKind::HttpStatus,
                body.response_message.unwrap_or_default(),
            )
            .with_http_status(Some(status.as_u16()))
            .with_response_code(body.response_code)
            .with_retry_after(retry_after)
            .tagged(tag)
        }
        Error::UnexpectedResponse(response) => {
            CallError::new(CallErrorKind::HttpStatus, "a status the spec does not list")
                .with_http_status(Some(response.status().as_u16()))
                .tagged(CallTag::of_headers(response.headers()))
        }
        Error::InvalidResponsePayload(body, _) => {
            CallError::new(CallErrorKind::Decode, decode_problem::<T>(&body)).with_attempts(1)
        }
    }
}

/// Where and why `body` does not decode as `T`, naming the field but never quoting a value.
fn decode_problem<T: DeserializeOwned>(body: &[u8]) -> String {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Ok(_) => "the reply does not match the spec".to_string(),
        Err(error) => format!(
            "at `{}`: {}",
            error.path(),
            crate::serde_problem::without_values(error.inner())
        ),
    }
}
