// Every string the chat frame shows, in English and Russian. Texts the server sends
// (the conversation, validation and error messages) arrive already in the chosen language.

export const LANGS = ["en", "ru"];

export const STRINGS = {
  en: {
    title: "Support",
    subtitle: "Ask a question or file a ticket",
    launcher_open: "Open support chat",
    launcher_close: "Close support chat",
    close: "Close",
    tab_chat: "Help",
    tab_tickets: "My tickets",
    signed_in_as: "Signed in as {email}",
    token_refused: "Your sign-in has expired. Reload the portal page to sign in again.",
    composer_label: "Describe your problem",
    composer_placeholder: "Describe the problem…",
    send: "Send",
    suggestions_label: "Suggested articles",
    suggestions_count: "{count} suggestions available: press the down arrow to choose one.",
    suggestion_form: "Request form",
    conversation_log: "Conversation",
    you: "You",
    bot: "Support",
    show_steps: "Show me how",
    solved: "Solved",
    next_step: "Next step",
    need_help: "I still need help",
    answer_yes: "Yes",
    answer_no: "No",
    step_of: "Step {index} of {total}",
    check: "Check:",
    did_it_help: "Did this help?",
    copy: "Copy",
    copied: "Copied",
    copy_by_hand: "Copying is not allowed here: the command is selected, press Ctrl+C.",
    whole_article: "Show the whole article",
    hide_article: "Hide the article",
    open_on_site: "Open on the knowledge-base site",
    loading: "Loading…",
    forms_choose: "Or file a request with one of these forms:",
    fill_form: "Fill in the form",
    open_form: "Open the form",
    new_conversation: "Start a new conversation",
    conversation_closed: "The conversation is closed.",
    ticket_number: "Request number",
    follow_tickets: "Open My tickets",
    network_error: "The connection failed. Check your network and try again.",
    retry: "Try again",
    // the request form
    form_required_note: "Fields marked * are required.",
    required_mark: "required",
    choose: "Choose…",
    yes: "Yes",
    no: "No",
    urgency: "Urgency",
    urgency_help: "How badly does this affect your business?",
    urgency_very_high: "Very high: substantial business impact",
    urgency_high: "High: service quality strongly reduced",
    urgency_medium: "Medium: slight degradation",
    urgency_low: "Low: an inconvenience",
    urgency_none: "None: a wish",
    urgency_phone_notice:
      "High and very high urgency must be confirmed by phone. After you send the request " +
      "we will show you the number to call.",
    description: "Anything else we should know?",
    description_help: "Optional. What you wrote in the chat is added to the request.",
    submit: "Send request",
    submitting: "Sending…",
    back_to_chat: "Back to the chat",
    form_errors: "Please correct the highlighted fields ({count}).",
    form_error_other: "The request was not accepted:",
    // my tickets
    tickets_heading: "My tickets",
    tickets_empty: "Your organisation has no tickets yet.",
    tickets_sign_in: "Sign in to the client portal to see your organisation's tickets.",
    tickets_refresh: "Refresh",
    tickets_back: "All tickets",
    ticket_status: "Status",
    ticket_priority: "Priority",
    ticket_urgency: "Urgency",
    ticket_created: "Created",
    ticket_submitted: "What you sent",
    ticket_form: "Form",
    ticket_timeline: "Status history",
    ticket_updated: "Updated",
    urgency_unconfirmed: "urgency not yet confirmed by phone",
    comments: "Comments",
    no_comments: "No comments yet.",
    author_mine: "You",
    author_contact: "Your colleague",
    author_support: "Support",
    author_system: "System",
    reply_label: "Your reply",
    reply_send: "Send reply",
    reply_sent: "Your reply was added.",
    completed_question: "Support has completed this ticket. Is the problem solved?",
    confirm: "Yes, close the ticket",
    reject: "No, it is not solved",
    reject_reason: "What is still wrong?",
    reject_send: "Send back to support",
    confirmed: "Thank you! The ticket is closed.",
    rejected: "The ticket went back to support.",
    change_urgency: "Change urgency",
    urgency_changed: "The urgency was changed.",
    status_registered: "Registered",
    status_assigned: "Assigned",
    status_in_progress: "In progress",
    status_completed: "Completed: waiting for your confirmation",
    status_closed: "Closed",
    status_rejected_by_user: "Rejected by you: back in work",
    status_information_needed: "Information needed from you",
    status_external_processing: "With a third party",
  },
  ru: {
    title: "Поддержка",
    subtitle: "Задайте вопрос или оставьте заявку",
    launcher_open: "Открыть чат поддержки",
    launcher_close: "Закрыть чат поддержки",
    close: "Закрыть",
    tab_chat: "Помощь",
    tab_tickets: "Мои заявки",
    signed_in_as: "Вы вошли как {email}",
    token_refused: "Срок входа истёк. Обновите страницу портала, чтобы войти снова.",
    composer_label: "Опишите проблему",
    composer_placeholder: "Опишите проблему…",
    send: "Отправить",
    suggestions_label: "Подходящие статьи",
    suggestions_count: "Найдено подсказок: {count}. Стрелка вниз — выбрать.",
    suggestion_form: "Форма заявки",
    conversation_log: "Диалог",
    you: "Вы",
    bot: "Поддержка",
    show_steps: "Показать по шагам",
    solved: "Решено",
    next_step: "Следующий шаг",
    need_help: "Мне всё ещё нужна помощь",
    answer_yes: "Да",
    answer_no: "Нет",
    step_of: "Шаг {index} из {total}",
    check: "Проверьте:",
    did_it_help: "Это помогло?",
    copy: "Копировать",
    copied: "Скопировано",
    copy_by_hand: "Копирование здесь запрещено: команда выделена, нажмите Ctrl+C.",
    whole_article: "Показать статью целиком",
    hide_article: "Скрыть статью",
    open_on_site: "Открыть в базе знаний",
    loading: "Загрузка…",
    forms_choose: "Или оформите заявку по одной из форм:",
    fill_form: "Заполните форму",
    open_form: "Открыть форму",
    new_conversation: "Начать новый диалог",
    conversation_closed: "Диалог завершён.",
    ticket_number: "Номер заявки",
    follow_tickets: "Открыть «Мои заявки»",
    network_error: "Не удалось связаться с сервером. Проверьте сеть и попробуйте ещё раз.",
    retry: "Повторить",
    form_required_note: "Поля, отмеченные *, обязательны.",
    required_mark: "обязательно",
    choose: "Выберите…",
    yes: "Да",
    no: "Нет",
    urgency: "Срочность",
    urgency_help: "Насколько сильно это влияет на вашу работу?",
    urgency_very_high: "Очень высокая: существенное влияние на бизнес",
    urgency_high: "Высокая: качество сервиса сильно снижено",
    urgency_medium: "Средняя: небольшое ухудшение",
    urgency_low: "Низкая: неудобство",
    urgency_none: "Нет: пожелание",
    urgency_phone_notice:
      "Высокую и очень высокую срочность нужно подтвердить по телефону. После отправки " +
      "заявки мы покажем номер, по которому нужно позвонить.",
    description: "Что ещё нам стоит знать?",
    description_help: "Необязательно. Написанное в чате будет добавлено в заявку.",
    submit: "Отправить заявку",
    submitting: "Отправляем…",
    back_to_chat: "Вернуться в чат",
    form_errors: "Исправьте отмеченные поля ({count}).",
    form_error_other: "Заявка не принята:",
    tickets_heading: "Мои заявки",
    tickets_empty: "У вашей организации пока нет заявок.",
    tickets_sign_in: "Войдите в клиентский портал, чтобы увидеть заявки вашей организации.",
    tickets_refresh: "Обновить",
    tickets_back: "Все заявки",
    ticket_status: "Статус",
    ticket_priority: "Приоритет",
    ticket_urgency: "Срочность",
    ticket_created: "Создана",
    ticket_submitted: "Что вы отправили",
    ticket_form: "Форма",
    ticket_timeline: "История статусов",
    ticket_updated: "Обновлена",
    urgency_unconfirmed: "срочность ещё не подтверждена по телефону",
    comments: "Комментарии",
    no_comments: "Комментариев пока нет.",
    author_mine: "Вы",
    author_contact: "Ваш коллега",
    author_support: "Поддержка",
    author_system: "Система",
    reply_label: "Ваш ответ",
    reply_send: "Отправить ответ",
    reply_sent: "Ваш ответ добавлен.",
    completed_question: "Поддержка выполнила заявку. Проблема решена?",
    confirm: "Да, закрыть заявку",
    reject: "Нет, не решена",
    reject_reason: "Что всё ещё не так?",
    reject_send: "Вернуть в поддержку",
    confirmed: "Спасибо! Заявка закрыта.",
    rejected: "Заявка возвращена в поддержку.",
    change_urgency: "Изменить срочность",
    urgency_changed: "Срочность изменена.",
    status_registered: "Зарегистрирована",
    status_assigned: "Назначена",
    status_in_progress: "В работе",
    status_completed: "Выполнена: ждёт вашего подтверждения",
    status_closed: "Закрыта",
    status_rejected_by_user: "Отклонена вами: снова в работе",
    status_information_needed: "Нужна информация от вас",
    status_external_processing: "У стороннего исполнителя",
  },
};

export const URGENCIES = ["very_high", "high", "medium", "low", "none"];

/** The supported language the browser prefers, else English. */
export function browserLanguage() {
  for (const tag of navigator.languages || [navigator.language || ""]) {
    const primary = String(tag).toLowerCase().slice(0, 2);
    if (LANGS.includes(primary)) {
      return primary;
    }
  }
  return "en";
}

export function pickLanguage(wanted) {
  const value = String(wanted || "").toLowerCase().slice(0, 2);
  return LANGS.includes(value) ? value : browserLanguage();
}

/** A translator for ``lang``: t("step_of", {index: 1, total: 5}). */
export function translator(lang) {
  const table = STRINGS[lang] || STRINGS.en;
  return (key, params = {}) => {
    const template = table[key] ?? STRINGS.en[key] ?? key;
    return template.replace(/\{(\w+)\}/g, (whole, name) =>
      name in params ? String(params[name]) : whole,
    );
  };
}

export function formatDate(iso, lang) {
  if (!iso) {
    return "";
  }
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return String(iso);
  }
  return new Intl.DateTimeFormat(lang === "ru" ? "ru-RU" : "en-GB", {
    dateStyle: "medium",
    timeStyle: "short",
  }).format(date);
}
