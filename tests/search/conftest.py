"""A small knowledge base written into tmp_path, so search tests do not depend on kb/."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from selfservice.content.loader import load_content
from selfservice.content.model import Content
from selfservice.search import SearchIndex

SERVICES = """\
services:
  - id: identity
    name: {en: Accounts and sign-in, ru: Учётные записи и вход}
    group: service-desk
    line: L1
  - id: compute
    name: {en: Virtual machines, ru: Виртуальные машины}
    group: service-desk
    line: L1
  - id: network
    name: {en: Networks and VPN, ru: Сети и VPN}
    group: service-desk
    line: L1
"""

ARTICLES = {
    "articles/identity/reset-password.md": """\
---
id: reset-password-en
title: Reset a forgotten portal password
lang: en
translation: reset-password-ru
service: identity
audience: public
kind: scripted-solution
tags: [password, sign-in]
symptoms:
  - forgot my password
  - cannot log in to the portal
updated: 2026-11-20
summary: Get a reset link by e-mail and choose a new password in two minutes.
steps:
  - id: open-reset
    text: Open the portal sign-in page and click **Forgot password?**
  - id: check-mail
    text: Enter your work e-mail and open the message "Password reset".
    check: Did the reset e-mail arrive?
---
Passwords expire every 90 days. If the reset e-mail does not arrive, check the Spam folder.
""",
    "articles/identity/reset-password.ru.md": """\
---
id: reset-password-ru
title: Как сбросить забытый пароль от портала
lang: ru
translation: reset-password-en
service: identity
audience: public
kind: scripted-solution
tags: [пароль, вход]
symptoms:
  - забыл пароль
  - не могу войти в портал
updated: 2026-11-20
summary: Ссылка для сброса придёт на почту, новый пароль можно задать за две минуты.
steps:
  - id: open-reset
    text: Откройте страницу входа на портал и нажмите **Забыли пароль?**
  - id: check-mail
    text: Введите рабочую почту и откройте письмо «Сброс пароля».
    check: Письмо для сброса пришло?
---
Пароли действуют 90 дней. Если письмо не пришло, проверьте папку «Спам».
""",
    "articles/identity/account-locked.ru.md": """\
---
id: account-locked-ru
title: Учетная запись заблокирована после неудачных попыток входа
lang: ru
service: identity
audience: public
kind: known-error
tags: [блокировка]
symptoms:
  - учетная запись заблокирована
updated: 2026-11-20
---
После пяти неверных паролей учетная запись блокируется на 15 минут. Подождите и войдите снова.
""",
    "articles/network/vpn.md": """\
---
id: vpn-does-not-connect-en
title: Client VPN does not connect
lang: en
service: network
audience: public
kind: how-to
tags: [vpn]
symptoms:
  - vpn does not connect
  - tls handshake failed
updated: 2026-11-20
---
Check that UDP port 1194 is open, import the profile again and restart the <b>VPN client</b>.
""",
    "articles/compute/snapshot.md": """\
---
id: vm-snapshot-en
title: Take a snapshot of a virtual machine disk
lang: en
service: compute
audience: public
kind: faq
updated: 2026-11-20
---
Snapshots are made in the control panel, on the Disks tab. A snapshot keeps the disk state.
""",
    "internal/vm-runbook.md": """\
---
id: vm-hang-runbook-en
title: Hypervisor triage for a hung virtual machine (runbook)
lang: en
service: compute
audience: internal
kind: how-to
updated: 2026-11-20
---
INTERNAL: check the hypervisor balloon driver, dump the qemu monitor state, then live-migrate.
""",
}

FORM = """\
id: vm-not-responding
type: incident
service: compute
title: {en: Virtual machine is not responding, ru: Виртуальная машина не отвечает}
description:
  en: Report a cloud server that hangs or cannot be reached over the console.
  ru: Сообщите о сервере, который завис или недоступен через консоль.
keywords: [freeze]
fields:
  - id: vm_name
    type: hostname
    label: {en: Machine hostname, ru: Имя машины}
    required: true
    help: {en: As shown in the control panel, ru: Как в панели управления}
  - id: os
    type: choice
    label: {en: Operating system, ru: Операционная система}
    options:
      - {value: linux, label: {en: Linux, ru: Linux}}
      - {value: windows, label: {en: Windows, ru: Windows}}
  - id: rdp_port
    type: integer
    label: {en: Remote desktop listener port, ru: Порт удалённого рабочего стола}
    min: 1
    max: 65535
    show_if: {field: os, equals: windows}
"""


def write_kb(root: Path) -> Path:
    kb = root / "kb"
    (kb / "catalog").mkdir(parents=True)
    (kb / "services.yml").write_text(SERVICES, encoding="utf-8")
    for rel, text in ARTICLES.items():
        path = kb / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (kb / "catalog" / "vm-not-responding.yml").write_text(FORM, encoding="utf-8")
    return kb


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    return write_kb(tmp_path)


@pytest.fixture
def content(kb: Path) -> Content:
    return load_content(kb)


@pytest.fixture
def index(tmp_path: Path, content: Content) -> Iterator[SearchIndex]:
    idx = SearchIndex.open_or_build(tmp_path / "index", content)
    yield idx
    idx.close()
