"""Phrases that name a choice-field option or a number, in English and Russian.

Keyed by field id and option value rather than by form: the catalogue reuses field ids
(``os``, ``disk_tier``, ``storage_kind``) with the same meaning across forms, and an
option a form does not offer is simply never looked at. Each phrase is meant to be
unambiguous on its own; when phrases of two options of one field both occur, the
prefill leaves that field empty rather than guess.
"""

import re

_I = re.IGNORECASE


def _cues(table: dict[str, dict[str, str]]) -> dict[str, dict[str, re.Pattern[str]]]:
    return {f: {v: re.compile(p, _I) for v, p in opts.items()} for f, opts in table.items()}


CHOICE_CUES = _cues({
    "vpn_type": {
        "site_to_site": r"site[- ]to[- ]site|ipsec|\btunnel|туннел|между (?:офисом|площадками)",
        "client_vpn": r"vpn[- ]client|client vpn|openvpn|wireguard|anyconnect|vpn-клиент"
                      r"|клиентск\w* vpn|(?:remote|home) (?:users|staff)|удалённ\w+ сотрудник",
    },
    "tunnel_state": {
        "down": r"(?:does not|doesn't|won't|will not|did not|didn't) come up|не поднима",
        "up_no_traffic": r"no traffic|traffic (?:does not|doesn't) (?:pass|go)"
                         r"|трафик не (?:идёт|идет|проходит)",
        "flapping": r"\bflap|up and down|то поднимается|то падает",
    },
    "client_os": {
        "windows": r"\bwindows\b", "macos": r"\bmac ?os\b|\bmacbook", "linux": r"\blinux\b",
        "ios": r"\biphone|\bipad|\bios\b", "android": r"\bandroid",
    },
    "os": {
        "ubuntu": r"\bubuntu", "debian": r"\bdebian", "almalinux": r"\balma ?linux",
        "windows_2022": r"windows(?: server)? 2022", "windows_2025": r"windows(?: server)? 2025",
        "linux": r"\blinux|\bubuntu|\bdebian|\bcentos|\balma", "windows": r"\bwindows",
    },
    "disk_tier": {"ssd": r"\bssd\b", "hdd": r"\bhdd\b"},
    "record_type": {
        "A": r"\bA[- ]record|\bA-запис|запис\w* типа A\b", "AAAA": r"\bAAAA\b",
        "CNAME": r"\bcname\b", "MX": r"\bmx\b", "TXT": r"\btxt\b|\bspf\b|\bdkim\b|\bdmarc\b",
        "SRV": r"\bsrv\b",
    },
    "change": {
        "add": r"\badd (?:a|an|the)?\b|\bnew record|добав|создайте запись|создать запись",
        "modify": r"\bchange the\b|\bupdate the\b|\bre-?point|\bизмен|\bпомен|\bперенаправ",
        "delete": r"\bdelete\b|\bremove\b|\bудал",
    },
    "action": {
        "allow": r"\ballow\b|\bopen (?:the )?port|\bоткр(?:ыть|ойте)|\bразреш",
        "deny": r"\bdeny\b|\bblock (?:the )?(?:port|traffic|address)|\bзакр(?:ыть|ойте) порт"
                r"|\bзапрет",
        "block": r"\bblock (?:the |his |her |their )?(?:account|user)|\bзаблокир",
        "delete": r"\bdelete (?:the |his |her )?(?:account|user)|удал\w+ (?:учётн|учетн|аккаунт)",
    },
    "direction": {
        "inbound": r"\binbound|\bincoming traffic|\bвходящ\w* (?:трафик|соедин|подключ)",
        "outbound": r"\boutbound|\boutgoing traffic|\bисходящ\w* (?:трафик|соедин|подключ)",
        "outgoing": r"can(?:no|')t send|cannot send|not being sent|\bbounce|не уход|не отправля",
        "incoming": r"(?:do not|don't|doesn't|does not|are not|aren't) (?:receive|arriv|get)"
                    r"|not receiving|не приход|не получа",
        "delayed": r"\bdelay|\bзадерж|с опозданием",
    },
    "source_kind": {
        "any": r"from anywhere|from any (?:address|ip)|с любого (?:адреса|ip)|откуда угодно",
        "address": r"(?:\bfrom|\bс)\s+(?:the\s+)?(?:address\s+|адреса\s+|ip\s+)?"
                   r"\d{1,3}(?:\.\d{1,3}){3}(?![\d/])",
        "subnet": r"\d{1,3}(?:\.\d{1,3}){3}/\d{1,2}\b",
    },
    "protocol": {"tcp": r"\btcp\b", "udp": r"\budp\b", "icmp": r"\bicmp\b"},
    "access_type": {
        "client_vpn": r"\bvpn\b|\bвпн", "ssh": r"\bssh\b", "rdp": r"\brdp\b|remote desktop",
        "file_share": r"file share|shared folder|общ\w+ папк",
    },
    "restore_scope": {
        "files": r"\bfiles?\b|\bfolder|\bфайл|\bпапк",
        "database": r"\bdatabase|баз\w* данных",
        "whole_vm": r"whole (?:vm|machine|server)|entire (?:vm|machine|server)|целиком",
    },
    "failure": {
        "error": r"failed with|ended with an error|завершил\w* с ошибкой|упал\w* с ошибкой",
        "warning": r"\bwarning|предупрежден",
        "not_started": r"(?:did not|didn't) (?:start|run)|не запуст|не стартова",
    },
    "storage_kind": {
        "block_volume": r"\bdisk\b|\bvolume\b|\bдиск",
        "file_share": r"file share|\bsmb\b|\bnfs\b|файлов\w+ (?:ресурс|хранилищ)|общ\w+ папк",
        "s3_bucket": r"\bs3\b|\bbucket|\bбакет", "s3_quota": r"\bs3\b|\bbucket|\bбакет",
    },
    "symptom": {
        "read_only": r"read[- ]only|только (?:для|на) чтени",
        "io_errors": r"\bi/?o error|ошибк\w* ввода",
        "access_denied": r"access denied|permission denied|доступ запрещ|отказано в доступе",
        "very_slow": r"very slow|extremely slow|очень медленн",
    },
    "what_unreachable": {
        "internet_from_vms": r"no internet|(?:can't|cannot) reach the internet|нет интернета"
                             r"|не (?:выходит|выходят) в интернет",
        "private_network": r"private network|частн\w* сет|локальн\w* сет",
    },
    "pattern_of_failure": {
        "complete": r"\bcompletely\b|\bat all\b|\bполностью\b|\bсовсем\b",
        "intermittent": r"intermittent|from time to time|on and off|периодическ|время от времени",
    },
    "problem": {
        "expired": r"\bexpired\b|\bистёк|\bистек(?!ает)|\bпросрочен",
        "expires_soon": r"expires (?:soon|in|on|next)|\bистекает|скоро истеч",
        "name_mismatch": r"name mismatch|does(?: not|n't) match|не совпада",
        "untrusted": r"not trusted|untrusted|self-signed|не доверя|самоподпис",
    },
    "cert_type": {
        "wildcard": r"\bwildcard|(?<![\w.])\*\.[a-z]",
        "multi": r"\bsan\b|multi-domain|several names|мультидомен|несколько имён",
    },
    "web_server": {"nginx": r"\bnginx", "apache": r"\bapache", "iis": r"\biis\b"},
    "mailbox_type": {
        "shared": r"shared mailbox|общ\w+ (?:почтов\w+ )?ящик",
        "distribution": r"distribution list|mailing list|\bрассылк",
    },
    "answer_format": {
        "phone_call": r"\bcall me\b|phone call|\bпозвоните\b|по телефону",
        "video_call": r"video call|\bzoom\b|\bteams\b|видеозвон|видеосвяз",
    },
    "topic": {
        "invoice": r"\binvoice|\bсч[её]т(?:у|а|е|ом)?\b",
        "contract": r"\bcontract\b|\bдоговор",
    },
    "disk_action": {
        "extend": r"\b(?:extend|enlarge|grow) the disk|увелич\w* диск|расшир\w* диск",
        "add": r"\badd (?:a |another |one more )?(?:new )?disk|добав\w* (?:ещё )?(?:один )?диск",
    },
    "target": {
        "original": r"original location|overwrite|на прежнее место|поверх",
        "alongside": r"\balongside|next to the original|рядом с",
        "new_vm": r"(?:to|onto|on) a new (?:vm|machine|server)|на нов\w+ (?:вм|машин|сервер)",
    },
})

# The number in group 1; the phrases name what is counted.
NUMBER_CUES: dict[str, re.Pattern[str]] = {
    field: re.compile(pattern, _I) for field, pattern in {
        "vcpu": r"(\d{1,3})\s*(?:v?cpus?|vcpu|cores|яд(?:ер|р))",
        "ram_gb": r"(\d{1,4})\s*(?:gb|гб|g)\s*(?:of\s*)?(?:ram|memory|памяти|оперативн|озу)"
                  r"|(?:ram|памят\w*|озу)\s*(?:to\s*|до\s*)?(\d{1,4})\s*(?:gb|гб)",
        "disk_gb": r"(\d{2,4})\s*(?:gb|гб)\s*(?:ssd\s*|hdd\s*)?(?:disk|диск)",
        "affected_users": r"(\d{1,4})\s*(?:users|people|employees|пользовател|сотрудник|человек)",
        "port": r"\bport\s*(\d{1,5})\b|\bпорт\w*\s*(\d{1,5})\b",
        "destination_port": r"\bport\s*(\d{1,5})\b|\bпорт\w*\s*(\d{1,5})\b",
        "new_size_gb": r"\bto\s*(\d{2,5})\s*(?:gb|гб)|\bдо\s*(\d{2,5})\s*(?:gb|гб)",
        "quantity": r"(\d{1,4})\s*(?:more |additional |extra )?(?:licen[cs]es|лиценз)",
    }.items()
}
