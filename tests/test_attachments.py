"""Files on records: upload, versions, limits, followers told through an event, record scoping."""

from core.access import services as access
from core.auth import SYSTEM
from core.db.tables import OutboxMessage
from tests.conftest import as_user, make_user, serve_app

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"
CREATE = """mutation($input: CompanyCreateInput!) { companyCreate(input: $input) { company { id } } }"""
LIST = (
    """query($s: ID!) { attachments(subject: $s) { id fileName contentType size version url uploadedBy { email } } }"""
)


async def setup(client, runtime, tmp_path):
    runtime.settings = runtime.settings.with_overrides(attachments_dir=tmp_path / "files", max_attachment_bytes=1000)
    for code in ("malopolskie", "podkarpackie"):
        await access.create_territory(runtime, SYSTEM, code, code.title())
    _, rep = await make_user(runtime, "rep@firma.pl", roles=["sales_rep"], territories=["malopolskie"])
    _, other = await make_user(runtime, "inny@firma.pl", roles=["sales_rep"], territories=["podkarpackie"])
    company = await as_user(client, rep, CREATE, {"input": {"name": "Huta", "territory": "malopolskie"}})
    return rep, other, company["data"]["companyCreate"]["company"]["id"]


async def upload(client, token, subject, name, content, content_type, **extra):
    return await client.post(
        "/plugins/core/attachments",
        headers={"authorization": f"Bearer {token}"},
        data={"subject": subject, **extra},
        files={"file": (name, content, content_type)},
    )


async def test_upload_list_download_and_replace(client, runtime, tmp_path, engine_kind):
    rep, _, company = await setup(client, runtime, tmp_path)
    follow = await as_user(
        client, rep, "mutation($s: ID!) { recordFollow(subject: $s) { following userErrors { code } } }", {"s": company}
    )
    assert follow["data"]["recordFollow"] == {"following": True, "userErrors": []}
    sent = await upload(client, rep, company, "oferta.pdf", PDF, "application/pdf")
    assert sent.status_code == 201, sent.text
    listed = (await as_user(client, rep, LIST, {"s": company}))["data"]["attachments"]
    assert [(a["fileName"], a["contentType"], a["size"], a["version"]) for a in listed] == [
        ("oferta.pdf", "application/pdf", len(PDF), 1)
    ]
    assert listed[0]["uploadedBy"] == {"email": "rep@firma.pl"}
    fetched = await client.get(listed[0]["url"], headers={"authorization": f"Bearer {rep}"})
    assert fetched.status_code == 200 and fetched.content == PDF
    assert "oferta.pdf" in fetched.headers["content-disposition"]
    newer = await upload(
        client, rep, company, "oferta-v2.pdf", PDF + b"% v2\n", "application/pdf", replaces=listed[0]["id"]
    )
    assert newer.status_code == 201, newer.text
    listed = (await as_user(client, rep, LIST, {"s": company}))["data"]["attachments"]
    assert [(a["fileName"], a["version"]) for a in listed] == [("oferta-v2.pdf", 2)]
    events = await OutboxMessage.select().where(OutboxMessage.name == "core.attachment_changed").output(load_json=True)
    assert [(e["payload"]["change"], len(e["payload"]["follower_ids"])) for e in events] == [
        ("added", 1),
        ("replaced", 1),
    ]


async def test_files_are_checked_before_they_are_kept(client, runtime, tmp_path, engine_kind):
    rep, _, company = await setup(client, runtime, tmp_path)
    too_big = await upload(client, rep, company, "duzy.pdf", PDF + b" " * 2000, "application/pdf")
    assert too_big.status_code == 400 and "TOO_LARGE" in too_big.text
    pretend = await upload(client, rep, company, "faktura.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    assert pretend.status_code == 400 and "TYPE_MISMATCH" in pretend.text
    program = await upload(client, rep, company, "setup.exe", b"MZ\x90\x00", "application/x-msdownload")
    assert program.status_code == 400 and "TYPE_NOT_ALLOWED" in program.text
    empty = await upload(client, rep, company, "pusty.txt", b"", "text/plain")
    assert empty.status_code == 400
    assert (await as_user(client, rep, LIST, {"s": company}))["data"]["attachments"] == []


async def test_files_follow_the_records_scope(client, runtime, tmp_path, engine_kind):
    rep, other, company = await setup(client, runtime, tmp_path)
    sent = await upload(client, rep, company, "umowa.pdf", PDF, "application/pdf")
    url = sent.json()["url"]
    assert (await client.get(url, headers={"authorization": f"Bearer {other}"})).status_code == 404
    assert (await client.get(url)).status_code == 401
    assert (await upload(client, other, company, "x.pdf", PDF, "application/pdf")).status_code == 404
    assert (await as_user(client, other, LIST, {"s": company}))["data"]["attachments"] == []
    file_id = sent.json()["id"]  # the global id, as `attachments { id }` gives it
    deleted = await as_user(
        client,
        rep,
        "mutation($id: ID!) { attachmentDelete(id: $id) { deletedId userErrors { code } } }",
        {"id": file_id},
    )
    assert deleted["data"]["attachmentDelete"] == {"deletedId": file_id, "userErrors": []}
    assert (await client.get(url, headers={"authorization": f"Bearer {rep}"})).status_code == 404


async def test_files_up_to_the_setting_pass_the_web_servers_body_limit(runtime, tmp_path, engine_kind):
    runtime.settings = runtime.settings.with_overrides(
        attachments_dir=tmp_path / "files", max_attachment_bytes=12 * 1024 * 1024
    )
    _, admin = await make_user(runtime, "admin@firma.pl", roles=["administrator"])
    async with serve_app(runtime) as client:
        company = await as_user(client, admin, CREATE, {"input": {"name": "Huta"}})
        subject = company["data"]["companyCreate"]["company"]["id"]
        big = PDF + b"0" * (11 * 1024 * 1024)  # above the 10 MB a web framework allows by default
        assert (await upload(client, admin, subject, "plan.pdf", big, "application/pdf")).status_code == 201
        too_big = big + b"0" * (1024 * 1024)
        assert (await upload(client, admin, subject, "plan.pdf", too_big, "application/pdf")).status_code in (400, 413)
