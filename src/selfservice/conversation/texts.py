"""Every sentence the conversation says, in English and Russian."""

from selfservice.content.model import Text

TEXTS: dict[str, Text] = {
    "greeting": Text(
        "Hello! Describe the problem in a few words and I will look for a solution.",
        "Здравствуйте! Опишите проблему в двух словах, а я поищу решение.",
    ),
    "articles_found": Text(
        "These articles look like a match. Open one and I will walk you through it.",
        "Похоже, эти статьи подходят. Откройте одну — я проведу вас по шагам.",
    ),
    "nothing_found": Text(
        "I could not find a ready answer to that.",
        "Готового ответа на это я не нашёл.",
    ),
    "rephrase": Text(
        "Try describing it differently, or file a request and an engineer will take it.",
        "Попробуйте описать иначе или оформите заявку — её возьмёт инженер.",
    ),
    "article_intro": Text(
        "Let's go through it step by step ({total} steps).",
        "Давайте пройдём по шагам (всего шагов: {total}).",
    ),
    "article_read": Text(
        "Here is the article. Did it solve the problem?",
        "Вот статья. Она помогла решить проблему?",
    ),
    "last_step_done": Text(
        "That was the last step. Is the problem solved?",
        "Это был последний шаг. Проблема решена?",
    ),
    "solved": Text(
        "Great, glad it works again! The conversation is closed; come back any time.",
        "Отлично, рад, что всё заработало! Диалог завершён — обращайтесь в любое время.",
    ),
    "forms_intro": Text(
        "Let's file a request. Choose the form that fits best:",
        "Давайте оформим заявку. Выберите подходящую форму:",
    ),
    "no_forms": Text(
        "Describe the problem in your own words and I will file it as a request.",
        "Опишите проблему своими словами, и я оформлю её как заявку.",
    ),
    "sign_in": Text(
        "To file a request, sign in to the client portal and open this chat there: "
        "only authorised contacts of your organisation can file requests.",
        "Чтобы оформить заявку, войдите в клиентский портал и откройте этот чат там: "
        "подавать заявки могут только авторизованные контактные лица вашей организации.",
    ),
    "form_intro": Text("Please fill in the form.", "Заполните, пожалуйста, форму."),
    "form_intro_prefilled": Text(
        "Please fill in the form. From your messages I filled in: {fields}. Please check them.",
        "Заполните, пожалуйста, форму. Из ваших сообщений я подставил: {fields}. Проверьте их.",
    ),
    "ticket_filed": Text(
        "Your request {number} is registered. We sent a confirmation by e-mail; "
        'you can follow it under "My tickets".',
        "Заявка {number} зарегистрирована. Подтверждение отправлено на почту; "
        "следить за ней можно в разделе «Мои заявки».",
    ),
    "phone_confirmation": Text(
        "You chose a high urgency: please call {phone} to confirm it. Until then the "
        'request is marked "urgency unconfirmed".',
        "Вы указали высокую срочность: позвоните по телефону {phone}, чтобы её подтвердить. "
        "До звонка заявка помечена «срочность не подтверждена».",
    ),
    "abandoned": Text(
        "The conversation is closed. Come back any time.",
        "Диалог завершён. Обращайтесь в любое время.",
    ),
}


def say(key: str, lang: str, **values: object) -> str:
    return TEXTS[key].get(lang).format(**values)
