"""Reading a raw e-mail into what the client file keeps: addresses, thread headers, text (HTML
converted when there is no text part), attachments, and — for a delivery status notification
(RFC 3464 ``multipart/report; report-type=delivery-status``) — which of our messages bounced."""

from __future__ import annotations

import email
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import Message
from email.parser import HeaderParser
from email.utils import getaddresses, parsedate_to_datetime
from html import unescape
from html.parser import HTMLParser

MESSAGE_ID = re.compile(r"<[^<>\s]+>")
MAX_ID = 300


@dataclass(frozen=True)
class MailFile:
    file_name: str
    content_type: str
    content: bytes


@dataclass
class ParsedMail:
    message_id: str = ""
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    from_address: str = ""
    from_name: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    subject: str = ""
    sent_at: datetime | None = None
    text: str = ""
    html: str | None = None
    files: list[MailFile] = field(default_factory=list)
    bounce_of: list[str] = field(default_factory=list)  # our Message-IDs a DSN reports as failed
    failed_recipients: list[str] = field(default_factory=list)
    is_bounce: bool = False


def message_ids(value: object) -> list[str]:
    """Message-IDs in a header, in order, without repeats; overlong ones are dropped."""
    seen: list[str] = []
    for found in MESSAGE_ID.findall(str(value or "")):
        if len(found) <= MAX_ID and found not in seen:
            seen.append(found)
    return seen


def decoded(value: object) -> str:
    """A header's text with RFC 2047 encoded words decoded (``=?utf-8?q?Zam=C3=B3wienie?=``)."""
    text = str(value or "")
    if "=?" not in text:
        return text
    try:
        return str(make_header(decode_header(text)))
    except (HeaderParseError, LookupError, UnicodeDecodeError, ValueError):
        return text


# Bytes a header held raw, as the parser keeps them (surrogate escapes), see _header_values.
EIGHT_BIT = re.compile("[\udc80-\udcff]")
FALLBACK_CHARSET = "iso-8859-2"  # the Polish legacy charset, for 8-bit headers that are not UTF-8


def _eight_bit(text: str, charset: str | None) -> str:
    """A header value written as raw 8-bit bytes: UTF-8 (RFC 6532, what modern clients send),
    else the message's declared charset, else ISO-8859-2."""
    if not EIGHT_BIT.search(text):
        return text
    raw = text.encode("ascii", "surrogateescape")
    for candidate in ("utf-8", charset, FALLBACK_CHARSET):
        if candidate:
            try:
                return raw.decode(candidate)
            except (LookupError, UnicodeDecodeError):
                continue
    return raw.decode("utf-8", errors="replace")


def _header_values(message: Message, name: str) -> list[str]:
    """The values of a header as written. ``Message.get`` turns raw 8-bit bytes into U+FFFD, so
    the unmodified pairs are read and their bytes decoded here."""
    charset = message.get_content_charset()
    wanted = name.lower()
    return [_eight_bit(str(value), charset) for key, value in message.raw_items() if key.lower() == wanted]


def _header(message: Message, name: str) -> str:
    values = _header_values(message, name)
    return values[0] if values else ""


def _addresses(message: Message, header: str) -> list[tuple[str, str]]:
    values = _header_values(message, header)
    pairs = []
    for name, address in getaddresses(values):
        address = address.strip().lower()
        if "@" in address and len(address) <= 320:
            pairs.append((decoded(name).strip()[:200], address))
    return pairs


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _text_of(part: Message) -> str:
    payload = part.get_payload(decode=True) or b""
    try:
        return payload.decode(part.get_content_charset() or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        return payload.decode("utf-8", errors="replace")


class _TextFromHtml(HTMLParser):
    BLOCKS = frozenset(("p", "div", "br", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote"))
    SKIPPED = frozenset(("script", "style", "head", "title"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextFromHtml()
    parser.feed(html)
    parser.close()
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in unescape("".join(parser.parts)).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _filename(part: Message) -> str:
    name = part.get_filename() or ""
    if "\ufffd" in name:  # a raw 8-bit name: read it again from the headers as written
        as_written = Message()
        for header in ("Content-Type", "Content-Disposition"):
            if value := _header(part, header):
                as_written[header] = value
        name = as_written.get_filename() or name
    return decoded(name)


def _files(part: Message, found: list[MailFile], inside_report: bool) -> None:
    """Attachments, depth first; an attached message is kept whole as one ``.eml`` file."""
    content_type = part.get_content_type()
    disposition = part.get_content_disposition()
    if content_type == "message/rfc822":
        if inside_report:
            return  # the returned original of a bounce is read by _bounce, not kept as a file
        if disposition == "attachment" or part.get_filename():
            inner = part.get_payload(0) if part.is_multipart() else None
            content = inner.as_bytes() if inner is not None else b""
            found.append(MailFile(_filename(part) or "message.eml", content_type, content))
            return
    if part.is_multipart():
        report = inside_report or content_type == "multipart/report"
        for child in part.get_payload():
            _files(child, found, report)
        return
    name = _filename(part)
    if disposition == "attachment" or (name and disposition != "inline"):
        found.append(MailFile(name or "attachment", content_type, part.get_payload(decode=True) or b""))
    elif disposition == "inline" and name and not content_type.startswith("text/"):
        found.append(MailFile(name, content_type, part.get_payload(decode=True) or b""))


def _body_parts(part: Message) -> list[Message]:
    """The inline text parts of the message itself, in order (not those of attached messages)."""
    if part.get_content_type() == "message/rfc822" or part.get_content_disposition() == "attachment":
        return []
    if part.is_multipart():
        return [found for child in part.get_payload() for found in _body_parts(child)]
    return [part] if part.get_content_maintype() == "text" else []


def _bodies(message: Message) -> tuple[str, str | None]:
    parts = _body_parts(message)
    text_part = next((p for p in parts if p.get_content_type() == "text/plain"), None)
    html_part = next((p for p in parts if p.get_content_type() == "text/html"), None)
    html = _text_of(html_part) if html_part is not None else None
    if text_part is not None:
        return _text_of(text_part).strip(), html
    return (html_to_text(html) if html else ""), html


def _bounce(message: Message) -> tuple[list[str], list[str]] | None:
    """(our Message-IDs, failed recipients) of a delivery status notification; None otherwise."""
    if message.get_content_type() != "multipart/report":
        return None
    if str(message.get_param("report-type", "")).lower() != "delivery-status":
        return None
    ids: list[str] = []
    failed: list[str] = []
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/delivery-status":
            for block in part.get_payload():
                ids += message_ids(block.get("Original-Message-ID")) + message_ids(block.get("X-Original-Message-ID"))
                action = str(block.get("Action", "")).strip().lower()
                recipient = str(block.get("Final-Recipient") or block.get("Original-Recipient") or "")
                address = recipient.split(";", 1)[-1].strip().strip("<>").lower()
                if action == "failed" and "@" in address:
                    failed.append(address)
        elif content_type == "message/rfc822" and part.is_multipart():
            ids += message_ids(part.get_payload(0).get("Message-ID"))
        elif content_type == "text/rfc822-headers":
            headers = HeaderParser().parsestr(_text_of(part))
            ids += message_ids(headers.get("Message-ID"))
    if not failed:
        return None  # "delayed" or "delivered" reports: nothing bounced
    return _unique(ids), _unique(failed)


def _date(message: Message) -> datetime | None:
    try:
        value = parsedate_to_datetime(str(message.get("Date", "")))
    except (TypeError, ValueError, IndexError):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def parse_mail(raw: bytes) -> ParsedMail:
    # The compat32 policy: several times faster than email.policy.default, which parses every
    # header into objects; the few headers we need are decoded by hand.
    message = email.message_from_bytes(raw)
    parsed = ParsedMail()
    parsed.message_id = (message_ids(message.get("Message-ID")) or [""])[0]
    parsed.in_reply_to = (message_ids(message.get("In-Reply-To")) or [""])[0]
    parsed.references = message_ids(message.get("References"))
    senders = _addresses(message, "From")
    if senders:
        parsed.from_name, parsed.from_address = senders[0]
    parsed.to = _unique([address for _name, address in _addresses(message, "To")])
    parsed.cc = _unique([address for _name, address in _addresses(message, "Cc")])
    parsed.subject = " ".join(decoded(_header(message, "Subject")).split())[:998]
    parsed.sent_at = _date(message)
    parsed.text, parsed.html = _bodies(message)
    _files(message, parsed.files, inside_report=False)
    bounce = _bounce(message)
    if bounce is not None:
        parsed.is_bounce = True
        parsed.bounce_of, parsed.failed_recipients = bounce
    # PostgreSQL text and JSON cannot hold NUL; a message carrying one must still be stored.
    parsed.text, parsed.subject, parsed.from_name = (_clean(v) for v in (parsed.text, parsed.subject, parsed.from_name))
    parsed.html = _clean(parsed.html) if parsed.html is not None else None
    parsed.to, parsed.cc = [_clean(a) for a in parsed.to], [_clean(a) for a in parsed.cc]
    parsed.from_address = _clean(parsed.from_address)
    return parsed


def _clean(text: str) -> str:
    return text.replace("\x00", "")
