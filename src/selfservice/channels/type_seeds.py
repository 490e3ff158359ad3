"""What an incident and a service request are, in many words: the cold start of the type.

ITIL's definitions, spelt out as short generic tickets in English and Russian: an
incident is an unplanned interruption or degradation of something that used to work
(errors, failures, outages, slowness, lost data); a service request asks for something
new or changed (access, accounts, hardware, software, licences, configuration, advice).
They cover an IT desk in general, not our catalog, because a new installation's desk may
support anything. The meaning model (multilingual-e5) carries them to both languages and
to texts that share no word with them.
"""

INCIDENT_SEEDS: tuple[str, ...] = (
    "something that worked yesterday is broken today",
    "the application shows an error message and closes",
    "the system is down, nobody can work",
    "cannot log in, the password is rejected with an error",
    "the server does not respond",
    "the program crashes when I open it",
    "very slow performance since this morning",
    "e-mails are not being delivered",
    "the network connection keeps dropping",
    "the printer stopped printing",
    "the laptop does not start, black screen",
    "the job failed with an error overnight",
    "files are missing or corrupted",
    "the website returns an error page",
    "the synchronisation has stopped working",
    "an issue with the report, wrong data shown",
    "the update failed and the service is unavailable",
    "the VPN disconnects all the time",
    "не работает, выдаёт ошибку",
    "сервер не отвечает, всё упало",
    "программа вылетает при запуске",
    "не могу войти, пишет неверный пароль",
    "очень медленно работает с утра",
    "письма не доходят до получателей",
    "пропал интернет в офисе",
    "принтер перестал печатать",
    "ноутбук не включается",
    "задание резервного копирования завершилось с ошибкой",
    "сайт недоступен, ошибка 502",
    "пропали файлы с диска",
    "сбой синхронизации, данные не обновляются",
    "проблема с отчётом, показывает неправильные данные",
)

REQUEST_SEEDS: tuple[str, ...] = (
    "please give me access to the shared folder",
    "request for a new user account for a new employee",
    "please install this software on my computer",
    "we need to order a new laptop",
    "purchase of additional licences",
    "please create a new mailbox",
    "please add me to the distribution group",
    "change the configuration of the server",
    "how do I set up my phone for e-mail",
    "a question about the invoice",
    "please extend the subscription",
    "increase the disk size of the virtual machine",
    "please reset the password for a colleague, planned",
    "new starter next week needs equipment and accounts",
    "remove access for an employee who left",
    "request approval for a purchase order",
    "please schedule the update for the weekend",
    "could you send me the documentation",
    "прошу предоставить доступ к папке",
    "нужно создать учётную запись новому сотруднику",
    "прошу установить программу на компьютер",
    "нужно заказать новый ноутбук",
    "прошу докупить лицензии",
    "создайте, пожалуйста, почтовый ящик",
    "добавьте меня в группу рассылки",
    "прошу изменить настройки сервера",
    "подскажите, как настроить почту на телефоне",
    "вопрос по счёту",
    "прошу увеличить диск виртуальной машины",
    "сотрудник уволился, прошу отключить доступы",
    "нужна консультация по тарифам",
    "прошу выслать закрывающие документы",
)
