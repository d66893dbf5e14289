"""Reading raw mail: encoded headers and file names, odd charsets, HTML-only bodies, and which
delivery status notifications are bounces."""

from __future__ import annotations

from email.message import EmailMessage

from core.mail.parse import html_to_text, parse_mail


def test_encoded_headers_file_names_and_an_unknown_charset_are_read():
    raw = (
        b"From: =?utf-8?q?Ewa_Szklarska?= <EWA@hutaszkla.pl>\r\n"
        b'To: crm@kartoteka.pl, "Jan" <jan@hutaszkla.pl>\r\n'
        b"Subject: =?utf-8?q?Zam=C3=B3wienie?=\r\n =?utf-8?q?_nr_7?=\r\n"
        b"Message-ID: <a@b>\r\nReferences: <r1@x>\r\n <r2@x> <r1@x>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=X\r\n\r\n"
        b"--X\r\nContent-Type: text/plain; charset=x-nieznany\r\n\r\nTre\xc5\x9b\xc4\x87\r\n"
        b"--X\r\nContent-Type: application/pdf\r\n"
        b'Content-Disposition: attachment; filename="=?utf-8?q?umowa_=C5=BC.pdf?="\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjc=\r\n--X--\r\n"
    )
    parsed = parse_mail(raw)
    assert (parsed.from_name, parsed.from_address) == ("Ewa Szklarska", "ewa@hutaszkla.pl")
    assert parsed.to == ["crm@kartoteka.pl", "jan@hutaszkla.pl"]
    assert parsed.subject == "Zamówienie nr 7"
    assert parsed.references == ["<r1@x>", "<r2@x>"]
    assert parsed.text == "Treść"
    assert [(f.file_name, f.content_type, f.content) for f in parsed.files] == [
        ("umowa ż.pdf", "application/pdf", b"%PDF-1.7")
    ]
    assert not parsed.is_bounce


def test_html_only_mail_is_converted_and_an_attached_message_is_one_file():
    inner = EmailMessage()
    inner["Subject"] = "Wcześniejsza"
    inner.set_content("stara treść")
    outer = EmailMessage()
    outer["From"] = "a@b.pl"
    outer.set_content("<style>p{}</style><p>Pierwszy&nbsp;akapit</p><ul><li>jeden</li><li>dwa</li></ul>", "html")
    outer.add_attachment(inner)
    parsed = parse_mail(outer.as_bytes())
    assert parsed.text == "Pierwszy\xa0akapit\n\n- jeden\n- dwa"
    assert parsed.html and "<li>jeden</li>" in parsed.html
    assert [f.content_type for f in parsed.files] == ["message/rfc822"]
    assert b"stara tre" in parsed.files[0].content
    assert html_to_text("<script>alert(1)</script>ok") == "ok"


def _report(action: str, extra: str = "") -> bytes:
    return (
        "From: postmaster@mx.example\r\nSubject: Delivery report\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="R"\r\n\r\n'
        "--R\r\nContent-Type: text/plain\r\n\r\nReport.\r\n"
        "--R\r\nContent-Type: message/delivery-status\r\n\r\n"
        f"Reporting-MTA: dns; mx.example\r\n{extra}\r\n"
        f"Final-Recipient: rfc822; <Nikt@Example.pl>\r\nAction: {action}\r\nStatus: 5.0.0\r\n\r\n"
        "--R\r\nContent-Type: message/rfc822\r\n\r\n"
        "From: crm@kartoteka.pl\r\nMessage-ID: <orig@kartoteka.pl>\r\n\r\nx\r\n"
        "--R--\r\n"
    ).encode()


def test_only_failed_delivery_reports_are_bounces_and_both_id_sources_are_read():
    bounce = parse_mail(_report("failed", "Original-Message-ID: <first@kartoteka.pl>\r\n"))
    assert bounce.is_bounce
    assert bounce.bounce_of == ["<first@kartoteka.pl>", "<orig@kartoteka.pl>"]
    assert bounce.failed_recipients == ["nikt@example.pl"]
    assert bounce.files == [] and bounce.text == "Report."
    assert not parse_mail(_report("delayed")).is_bounce


def test_nul_characters_are_dropped_so_any_database_stores_the_message():
    raw = b"From: a@b.pl\r\nSubject: z\x00ero\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nte\x00kst\r\n"
    parsed = parse_mail(raw)
    assert (parsed.subject, parsed.text) == ("zero", "tekst")


def test_raw_utf8_headers_are_read_as_utf8_and_legacy_8bit_as_the_declared_charset():
    # RFC 6532: modern clients write UTF-8 straight into headers, without encoded words.
    raw = (
        "From: Ktoś Nowy <ktos@example.pl>\r\nTo: Biuro <crm@kartoteka.pl>\r\nSubject: Łódź, zamówienie\r\n"
        "Message-ID: <u@x>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=X\r\n\r\n"
        "--X\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nTreść\r\n"
        '--X\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="umowa żółta.pdf"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjc=\r\n--X--\r\n"
    ).encode()
    parsed = parse_mail(raw)
    assert (parsed.from_name, parsed.from_address) == ("Ktoś Nowy", "ktos@example.pl")
    assert parsed.subject == "Łódź, zamówienie"
    assert [f.file_name for f in parsed.files] == ["umowa żółta.pdf"]
    assert "\ufffd" not in parsed.subject + parsed.from_name

    # An old client writing ISO-8859-2 bytes, with the body's charset declared on the message.
    legacy = (
        "From: Paweł Źródło <pawel@example.pl>\r\nSubject: Świąteczna oferta\r\nMessage-ID: <l@x>\r\n"
        "Content-Type: text/plain; charset=iso-8859-2\r\n\r\nDzień dobry\r\n"
    ).encode("iso-8859-2")
    parsed = parse_mail(legacy)
    assert (parsed.from_name, parsed.subject, parsed.text) == ("Paweł Źródło", "Świąteczna oferta", "Dzień dobry")
    # Undeclared and not UTF-8: read as ISO-8859-2, the Polish legacy charset.
    undeclared = "Subject: Zażółć\r\nMessage-ID: <n@x>\r\n\r\nx\r\n".encode("iso-8859-2")
    assert parse_mail(undeclared).subject == "Zażółć"
