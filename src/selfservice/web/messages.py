"""Every user-facing string of the HTTP API, in English and Russian.

Keys are the machine-readable error codes clients see in ``{"error": <code>}``, so one
table serves both the code list and the text. ``{field}``, ``{limit}`` and the like are
``str.format`` parameters filled in by :func:`message`. ``tests/web/test_messages.py``
checks that every key has both languages and the same parameters in each.
"""

import string
from collections.abc import Mapping

from selfservice.domain.enums import Language
from selfservice.web.attachment_messages import ATTACHMENT_MESSAGES

DEFAULT_LANGUAGE = Language.EN

CATALOGUE: dict[str, dict[Language, str]] = {
    # --- generic HTTP ---
    "not_found": {
        Language.EN: "Nothing was found at this address.",
        Language.RU: "По этому адресу ничего не найдено.",
    },
    "method_not_allowed": {
        Language.EN: "This method is not allowed here.",
        Language.RU: "Этот метод здесь не поддерживается.",
    },
    "bad_request": {
        Language.EN: "The request is not valid.",
        Language.RU: "Запрос некорректен.",
    },
    "unauthorized": {
        Language.EN: "Sign in to do this.",
        Language.RU: "Для этого нужно войти.",
    },
    "http_error": {
        Language.EN: "The request could not be processed.",
        Language.RU: "Запрос не удалось обработать.",
    },
    "internal_error": {
        Language.EN: "Something went wrong on our side. Please try again later.",
        Language.RU: "На нашей стороне произошла ошибка. Попробуйте позже.",
    },
    "service_unavailable": {
        Language.EN: "This part of the service is not available yet.",
        Language.RU: "Эта часть сервиса пока недоступна.",
    },
    # --- request parameters and bodies ---
    "required": {
        Language.EN: "The parameter '{field}' is required.",
        Language.RU: "Параметр '{field}' обязателен.",
    },
    "blank": {
        Language.EN: "The parameter '{field}' must not be blank.",
        Language.RU: "Параметр '{field}' не должен быть пустым.",
    },
    "too_long": {
        Language.EN: "The parameter '{field}' must be at most {max} characters long.",
        Language.RU: "Параметр '{field}' должен быть не длиннее {max} символов.",
    },
    "invalid_choice": {
        Language.EN: "The parameter '{field}' must be one of: {choices}.",
        Language.RU: "Параметр '{field}' должен принимать одно из значений: {choices}.",
    },
    "not_an_integer": {
        Language.EN: "The parameter '{field}' must be a whole number.",
        Language.RU: "Параметр '{field}' должен быть целым числом.",
    },
    "out_of_range": {
        Language.EN: "The parameter '{field}' must be between {min} and {max}.",
        Language.RU: "Параметр '{field}' должен быть в пределах от {min} до {max}.",
    },
    "not_a_string": {
        Language.EN: "The field '{field}' must be a string.",
        Language.RU: "Поле '{field}' должно быть строкой.",
    },
    "not_a_boolean": {
        Language.EN: "The field '{field}' must be true or false.",
        Language.RU: "Поле '{field}' должно быть true или false.",
    },
    "not_an_object": {
        Language.EN: "The field '{field}' must be a JSON object.",
        Language.RU: "Поле '{field}' должно быть JSON-объектом.",
    },
    "not_null": {
        Language.EN: "The field '{field}' must not be null: leave it out or give a value.",
        Language.RU: "Поле '{field}' не может быть null: опустите его или укажите значение.",
    },
    "invalid_character": {
        Language.EN: (
            "The parameter '{field}' contains a character that is not allowed "
            "(NUL or an unpaired surrogate)."
        ),
        Language.RU: (
            "Параметр '{field}' содержит недопустимый символ "
            "(NUL или непарный суррогат)."
        ),
    },
    "too_deep": {
        Language.EN: "The request body is nested more than {max} levels deep.",
        Language.RU: "Вложенность тела запроса больше {max} уровней.",
    },
    "invalid_json": {
        Language.EN: "The request body must be a JSON object.",
        Language.RU: "Тело запроса должно быть JSON-объектом.",
    },
    # --- knowledge base ---
    "article_not_found": {
        Language.EN: "There is no such article.",
        Language.RU: "Такой статьи нет.",
    },
    "proposal_not_found": {
        Language.EN: "There is no such phrasing proposal.",
        Language.RU: "Такого предложенного симптома нет.",
    },
    "proposal_decided": {
        Language.EN: "This phrasing proposal has already been accepted or rejected.",
        Language.RU: "Это предложение уже принято или отклонено.",
    },
    "form_not_found": {
        Language.EN: "There is no such request form.",
        Language.RU: "Такой формы заявки нет.",
    },
    # --- hardening ---
    "body_too_large": {
        Language.EN: "The request body is larger than the limit of {limit} bytes.",
        Language.RU: "Тело запроса больше допустимых {limit} байт.",
    },
    "rate_limited": {
        Language.EN: "Too many requests. Try again in {retry_after} s.",
        Language.RU: "Слишком много запросов. Повторите через {retry_after} с.",
    },
    "cors_origin_refused": {
        Language.EN: "Requests from this web site are not allowed.",
        Language.RU: "Запросы с этого веб-сайта не разрешены.",
    },
    # --- portal token (identity.py) ---
    "token_missing": {
        Language.EN: "Sign in through your client portal: the request carries no token.",
        Language.RU: "Войдите через клиентский портал: в запросе нет токена.",
    },
    "token_malformed": {
        Language.EN: "The portal token is malformed.",
        Language.RU: "Токен портала имеет неверный формат.",
    },
    "token_expired": {
        Language.EN: "Your session has expired. Open the page from your client portal again.",
        Language.RU: "Сеанс истёк. Откройте страницу из клиентского портала заново.",
    },
    "token_forged": {
        Language.EN: "The portal token signature is not valid.",
        Language.RU: "Подпись токена портала недействительна.",
    },
    "token_wrong_org": {
        Language.EN: "The portal token belongs to another organisation.",
        Language.RU: "Токен портала принадлежит другой организации.",
    },
    "token_unknown_org": {
        Language.EN: "The portal token names an organisation we do not know.",
        Language.RU: "Токен портала указывает на неизвестную организацию.",
    },
    "token_too_long_lived": {
        Language.EN: "The portal token is valid for too long: at most {max_hours} h is allowed.",
        Language.RU: "Токен портала действует слишком долго: допускается не более {max_hours} ч.",
    },
    "token_unknown_contact": {
        Language.EN: "This e-mail address is not a registered contact of your organisation.",
        Language.RU: "Этот адрес не зарегистрирован как контактное лицо вашей организации.",
    },
    "sign_in_required": {
        Language.EN: "To file and follow requests, sign in to your client portal and open "
        "support from there: only authorised contacts of your organisation can file requests.",
        Language.RU: "Чтобы подавать заявки и следить за ними, войдите в клиентский портал и "
        "откройте поддержку оттуда: заявки могут подавать только авторизованные контактные "
        "лица вашей организации.",
    },
    # --- conversations and tickets (web/conversation_api.py, web/tickets_api.py) ---
    "conversation_not_found": {
        Language.EN: "There is no such conversation. Start a new one.",
        Language.RU: "Такого диалога нет. Начните новый.",
    },
    "ticket_not_found": {
        Language.EN: "There is no such ticket among your organisation's tickets.",
        Language.RU: "Среди заявок вашей организации такой нет.",
    },
    "description_required": {
        Language.EN: "Describe the problem, or choose a request form.",
        Language.RU: "Опишите проблему или выберите форму заявки.",
    },
    "phone_confirmation_required": {
        Language.EN: "You chose a high urgency: please call {phone} to confirm it. Until then "
        'the request is marked "urgency unconfirmed".',
        Language.RU: "Вы указали высокую срочность: позвоните по телефону {phone}, чтобы её "
        "подтвердить. До звонка заявка помечена «срочность не подтверждена».",
    },
    "phone_confirmation_call_support": {
        Language.EN: "You chose a high urgency: please call your support desk to confirm it. "
        'Until then the request is marked "urgency unconfirmed".',
        Language.RU: "Вы указали высокую срочность: позвоните в службу поддержки, чтобы её "
        "подтвердить. До звонка заявка помечена «срочность не подтверждена».",
    },
    # --- domain and use-case refusals (selfservice.domain.errors, services.errors) ---
    "domain_error": {
        Language.EN: "The request was refused.",
        Language.RU: "Запрос отклонён.",
    },
    "transition_not_allowed": {
        Language.EN: "The ticket cannot move to this status from its current one.",
        Language.RU: "Заявку нельзя перевести в этот статус из текущего.",
    },
    "actor_not_allowed": {
        Language.EN: "You are not allowed to make this change.",
        Language.RU: "Вам не разрешено вносить это изменение.",
    },
    "precondition_failed": {
        Language.EN: "A condition for this change is not met ({field}).",
        Language.RU: "Не выполнено условие для этого изменения ({field}).",
    },
    "invalid_escalation": {
        Language.EN: "This escalation is not possible.",
        Language.RU: "Такая эскалация невозможна.",
    },
    "invalid_config": {
        Language.EN: "The support configuration is not valid ({field}).",
        Language.RU: "Конфигурация поддержки некорректна ({field}).",
    },
    "forbidden": {
        Language.EN: "You are not allowed to do this.",
        Language.RU: "У вас нет прав на это действие.",
    },
    "conflict": {
        Language.EN: "This clashes with data that already exists.",
        Language.RU: "Это противоречит уже существующим данным.",
    },
    "invalid_submission": {
        Language.EN: "The form has errors; see the list of fields.",
        Language.RU: "В форме есть ошибки; см. список полей.",
    },
    "invalid_time_zone": {
        Language.EN: "Unknown time zone.",
        Language.RU: "Неизвестный часовой пояс.",
    },
    "invalid_portal_url": {
        Language.EN: "The portal URL must be an http(s) URL of at most 500 characters.",
        Language.RU: "Адрес портала должен быть URL http(s) длиной не более 500 символов.",
    },
    "same_status": {
        Language.EN: "The ticket already has this status.",
        Language.RU: "У заявки уже этот статус.",
    },
    "closed_is_final": {
        Language.EN: "The ticket is closed; file a new ticket for further work.",
        Language.RU: "Заявка закрыта; для дальнейшей работы создайте новую заявку.",
    },
    "comment_required": {
        Language.EN: "Write the text of the comment.",
        Language.RU: "Напишите текст комментария.",
    },
    "reason_required": {
        Language.EN: "Every escalation needs a reason.",
        Language.RU: "Для эскалации нужно указать причину.",
    },
    "group_line_mismatch": {
        Language.EN: "This support group does not belong to the chosen line.",
        Language.RU: "Эта группа поддержки не относится к выбранной линии.",
    },
    "speciality_not_covered": {
        Language.EN: "This support group does not cover the speciality.",
        Language.RU: "Эта группа поддержки не занимается этой специализацией.",
    },
    "speciality_required": {
        Language.EN: "Name the speciality to hand the ticket to.",
        Language.RU: "Укажите специализацию, которой передаётся заявка.",
    },
    "backward": {
        Language.EN: "Escalation goes forward only.",
        Language.RU: "Эскалация возможна только на следующую линию.",
    },
    "skips_a_line": {
        Language.EN: "Escalate one line at a time.",
        Language.RU: "Эскалируйте по одной линии за раз.",
    },
    "lateral_not_allowed": {
        Language.EN: "This line cannot hand tickets within itself.",
        Language.RU: "Эта линия не может передавать заявки внутри себя.",
    },
    "same_group": {
        Language.EN: "The ticket is already with this group.",
        Language.RU: "Заявка уже находится в этой группе.",
    },
    # --- the chat conversation (selfservice.conversation) ---
    "conversation_error": {
        Language.EN: "The conversation cannot continue this way.",
        Language.RU: "Так продолжить диалог нельзя.",
    },
    "conversation_closed": {
        Language.EN: "This conversation is closed. Start a new one.",
        Language.RU: "Этот диалог завершён. Начните новый.",
    },
    "missing_input": {
        Language.EN: "Send either a text or an action.",
        Language.RU: "Отправьте текст или действие.",
    },
    "empty_text": {
        Language.EN: "The message is empty.",
        Language.RU: "Сообщение пустое.",
    },
    "too_many_messages": {
        Language.EN: "This conversation is too long. Please fill in a request form.",
        Language.RU: "Диалог слишком длинный. Пожалуйста, заполните форму заявки.",
    },
    "not_walking": {
        Language.EN: "No step-by-step solution is open.",
        Language.RU: "Пошаговое решение не открыто.",
    },
    "unknown_article": {
        Language.EN: "There is no such article.",
        Language.RU: "Такой статьи нет.",
    },
    "unknown_form": {
        Language.EN: "There is no such request form.",
        Language.RU: "Такой формы заявки нет.",
    },
    # --- the engineers' API ---
    "engineer_token_required": {
        Language.EN: "Send your engineer API token: Authorization: Bearer <token>.",
        Language.RU: "Передайте API-токен инженера: Authorization: Bearer <токен>.",
    },
    "engineer_token_invalid": {
        Language.EN: "This engineer API token is unknown or no longer active.",
        Language.RU: "Этот API-токен инженера неизвестен или больше не действует.",
    },
    "engineer_wrong_line": {
        Language.EN: "Your role ({role}) may not work with tickets of line {line}.",
        Language.RU: "Ваша роль ({role}) не позволяет работать с заявками линии {line}.",
    },
    "engineer_read_only": {
        Language.EN: "Your role ({role}) may only watch tickets of line {line}, not act on them.",
        Language.RU: "Ваша роль ({role}) позволяет только просматривать заявки линии {line}.",
    },
    "invalid_assignee": {
        Language.EN: "This engineer may not work on this ticket.",
        Language.RU: "Этот инженер не может работать с этой заявкой.",
    },
    "assignee_wrong_line": {
        Language.EN: "An engineer of {role} may not work on a ticket of line {line};"
        " choose an engineer of that line, or escalate the ticket first.",
        Language.RU: "Инженер линии {role} не может работать с заявкой линии {line};"
        " выберите инженера этой линии или сначала эскалируйте заявку.",
    },
    "assignee_is_manager": {
        Language.EN: "A manager cannot be the assignee of a ticket; choose an engineer of"
        " line {line}.",
        Language.RU: "Руководитель не может быть исполнителем заявки; выберите инженера"
        " линии {line}.",
    },
    "comment_visibility_fixed": {
        Language.EN: "Who sees the comment of this change is fixed (the question of"
        " information_needed always goes to the customer); leave out 'public'.",
        Language.RU: "Видимость комментария к этому изменению задана (вопрос при"
        " information_needed всегда уходит клиенту); не передавайте 'public'.",
    },
    "managers_only": {
        Language.EN: "Only managers may do this (your role: {role}).",
        Language.RU: "Это доступно только руководителям (ваша роль: {role}).",
    },
    "contact_not_found": {
        Language.EN: "There is no authorised contact with this e-mail in this organisation.",
        Language.RU: "В этой организации нет уполномоченного контакта с таким адресом.",
    },
    "invalid_date": {
        Language.EN: "The parameter '{field}' must be a date: YYYY-MM-DD.",
        Language.RU: "Параметр '{field}' должен быть датой: ГГГГ-ММ-ДД.",
    },
    "invalid_period": {
        Language.EN: "The period must start before it ends and last at most {max} days.",
        Language.RU: "Период должен начинаться раньше конца и длиться не более {max} дней.",
    },
    # --- monitoring alerts (alerts_api.py) ---
    "alert_token_missing": {
        Language.EN: "Send the alert source's token as 'Authorization: Bearer <token>'.",
        Language.RU: "Передайте токен источника оповещений: 'Authorization: Bearer <токен>'.",
    },
    "alert_token_invalid": {
        Language.EN: "This alert source token is unknown or disabled.",
        Language.RU: "Токен источника оповещений неизвестен или отключён.",
    },
    "alert_source_wrong_kind": {
        Language.EN: "This token belongs to a {kind} source; post to /api/v1/alerts/{kind}.",
        Language.RU: "Токен выдан источнику типа {kind}; отправляйте на /api/v1/alerts/{kind}.",
    },
    "invalid_alert_payload": {
        Language.EN: "The alert payload is not valid: {detail}",
        Language.RU: "Некорректные данные оповещения: {detail}",
    },
    # --- Idempotency-Key (web/idempotency.py) ---
    "invalid_idempotency_key": {
        Language.EN: "The header '{field}' must be 1 to {max} printable ASCII characters.",
        Language.RU: "Заголовок '{field}' должен содержать от 1 до {max} печатных символов ASCII.",
    },
    "idempotency_key_reused": {
        Language.EN: "This '{field}' was already used for a different request; "
        "use a new key for a new request.",
        Language.RU: "Этот '{field}' уже использован для другого запроса; "
        "для нового запроса нужен новый ключ.",
    },
    "idempotency_key_in_use": {
        Language.EN: "A request with this '{field}' is still being processed; "
        "retry in a moment.",
        Language.RU: "Запрос с этим '{field}' ещё обрабатывается; повторите чуть позже.",
    },
    **ATTACHMENT_MESSAGES,
}


def parameters(template: str) -> set[str]:
    """The ``{name}`` parameters a template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def message(code: str, lang: Language | str, params: Mapping[str, object] | None = None) -> str:
    """The text for ``code`` in ``lang``; unknown codes fall back to the generic refusal.

    A parameter the template needs but the caller did not give renders as ``?`` rather
    than failing: an error message must never become an error itself.
    """
    texts = CATALOGUE.get(code) or CATALOGUE["domain_error"]
    language = Language.RU if str(lang) == Language.RU else DEFAULT_LANGUAGE
    template = texts[language]
    values: dict[str, object] = dict.fromkeys(parameters(template), "?")
    values.update({k: v for k, v in (params or {}).items() if v is not None})
    return template.format_map(values)
