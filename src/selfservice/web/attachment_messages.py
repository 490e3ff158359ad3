"""The API's texts about attachments, in English and Russian (part of ``messages.CATALOGUE``).

``{limit_mb}`` is a size in megabytes (``10``, ``0.5``); ``{name}`` the file's name.
"""

from selfservice.domain.enums import Language

ATTACHMENT_MESSAGES: dict[str, dict[Language, str]] = {
    "attachment_empty": {
        Language.EN: "The file '{name}' is empty.",
        Language.RU: "Файл «{name}» пустой.",
    },
    "attachment_too_large": {
        Language.EN: "The file '{name}' is larger than the limit of {limit_mb} MB per file.",
        Language.RU: "Файл «{name}» больше допустимых {limit_mb} МБ на файл.",
    },
    "attachment_type_not_allowed": {
        Language.EN: "Files like '{name}' cannot be attached. Allowed: {types}.",
        Language.RU: "Файлы вроде «{name}» прикрепить нельзя. Можно: {types}.",
    },
    "attachment_refused_by_scanner": {
        Language.EN: "The file '{name}' was refused by the virus check and was not attached.",
        Language.RU: "Файл «{name}» не прошёл антивирусную проверку и не прикреплён.",
    },
    "attachment_scan_unavailable": {
        Language.EN: "The virus check is not available right now; please try the file "
        "again later.",
        Language.RU: "Антивирусная проверка сейчас недоступна; попробуйте прикрепить файл "
        "позже.",
    },
    "attachments_too_many": {
        Language.EN: "At most {max} files can be attached at once.",
        Language.RU: "За один раз можно прикрепить не более {max} файлов.",
    },
    "attachments_too_large": {
        Language.EN: "The attached files together are larger than the limit of {limit_mb} MB.",
        Language.RU: "Вместе прикреплённые файлы больше допустимых {limit_mb} МБ.",
    },
    "attachment_unknown": {
        Language.EN: "The file '{id}' is not among your uploads waiting to be attached; "
        "upload it again.",
        Language.RU: "Файла «{id}» нет среди ваших загрузок, ожидающих прикрепления; "
        "загрузите его снова.",
    },
    "attachment_not_found": {
        Language.EN: "This ticket has no such attachment.",
        Language.RU: "У этой заявки нет такого вложения.",
    },
}
