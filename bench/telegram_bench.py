"""Telegram bot benchmark: how many updates a pump handles and answers a second.

A temporary SQLite database, the fixture knowledge base (``tests/fixtures/kb-min``, search
by words), ``--users`` linked contacts, and the fake Bot API of the tests on loopback. Every
user sends ``--turns`` messages (a problem to search, /tickets, a button of the answer);
the updates are stored as the webhook stores them, then one pump handles them all and
sends every answer through python-telegram-bot to the fake. Reported: updates a second
and milliseconds per update, for handling (conversation turns, one transaction each) and
for sending (one Bot API call each, in order per chat).

Usage::

    python bench/telegram_bench.py                 # 50 users x 4 updates
    python bench/telegram_bench.py --users 100 --json
"""

import argparse
import asyncio
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "telegram")]

from fake_bot_api import FakeBotApi, Running  # noqa: E402

from selfservice.config.settings import Settings  # noqa: E402
from selfservice.config.support_config import load_support_config  # noqa: E402
from selfservice.content.loader import load_content  # noqa: E402
from selfservice.db.engine import make_engine  # noqa: E402
from selfservice.db.migrate import upgrade_engine  # noqa: E402
from selfservice.run.telegram import make_pump  # noqa: E402
from selfservice.search import SearchIndex  # noqa: E402
from selfservice.services import (  # noqa: E402
    admin,
    classifier_models,
    telegram_accounts,
    telegram_store,
)

TEXTS = ["I forgot my password", "/tickets", "my virtual machine is not responding"]


def update(update_id: int, user: int, text: str) -> dict[str, object]:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "text": text,
        "chat": {"id": user, "type": "private"},
        "from": {"id": user, "is_bot": False, "first_name": "U", "language_code": "en"}}}


def run(users: int, turns: int) -> dict[str, float]:
    fake = FakeBotApi()
    running = Running(fake)
    running.start()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/bench.db")
        config = load_support_config(None)
        upgrade_engine(engine)
        admin.sync_support_groups(engine, config=config)
        content = load_content(ROOT / "tests" / "fixtures" / "kb-min")
        index = SearchIndex.open_or_build(Path(folder) / "index", content, semantic=False)
        now = datetime.now(UTC)
        admin.add_organisation(engine, id="acme", name="ACME", contract_number="C-1", now=now)
        settings = Settings(telegram_bot_token=fake.token, telegram_api_url=fake.url)
        pump = make_pump(settings, engine=engine, contents=lambda: content, index=index,
                         config=config,
                         classifier=classifier_models.live_classifier(engine, content))
        next_id = 0
        for n in range(users):
            contact = admin.add_contact(engine, org_id="acme", email=f"u{n}@acme.example",
                                        name=f"User {n}", now=now)
            code = telegram_accounts.issue_code(engine, contact_id=contact.id or 0, now=now,
                                                minutes=15).code
            next_id += 1
            telegram_store.store_update(engine, update_id=next_id,
                                        payload=update(next_id, 10_000 + n, f"/start {code}"),
                                        now=now)
        for turn in range(turns - 1):
            for n in range(users):
                next_id += 1
                telegram_store.store_update(
                    engine, update_id=next_id, now=now,
                    payload=update(next_id, 10_000 + n, TEXTS[turn % len(TEXTS)]))
        loop = asyncio.new_event_loop()
        started = time.perf_counter()
        handled = pump.process()
        processed = time.perf_counter()
        sent = 0
        while True:
            report = loop.run_until_complete(pump.deliver())
            sent += report.sent
            if report.total == 0:
                break
        delivered = time.perf_counter()
        loop.run_until_complete(pump.bot.shutdown())
        loop.close()
        index.close()
        engine.dispose()
    running.stop()
    handling, sending = processed - started, delivered - processed
    return {"updates": handled, "calls_sent": sent,
            "handle_per_s": round(handled / handling, 1),
            "handle_ms_each": round(1000 * handling / handled, 2),
            "send_per_s": round(sent / sending, 1),
            "send_ms_each": round(1000 * sending / max(sent, 1), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--turns", type=int, default=4, help="updates per user (1 links)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.users, args.turns)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>16}: {value}")


if __name__ == "__main__":
    main()
