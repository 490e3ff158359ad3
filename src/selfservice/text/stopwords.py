"""Stop words of both languages: dropped from the index keys, or only from queries."""

EN_STOPS = frozenset(
    """
    a about above after again against all am an and any are aren as at be because been
    before being below between both but by can cannot could couldn did didn do does doesn
    doing don down during each few for from further had hadn has hasn have haven having he
    her here hers herself him himself his how i if in into is isn it its itself just ll
    me might mightn more most must mustn my myself needn no nor not now of off on once only
    or other our ours ourselves out over own re s same shall shan she should shouldn so
    some such t than that the their theirs them themselves then there these they this
    those through to too under until up ve very was wasn we were weren what when where
    which while who whom why will with won would wouldn y you your yours yourself
    yourselves d m o
    also etc e g ie eg via per
    """.split()
)

# Words that carry no topic in a question ("how can I ...", "is it possible to ...").
# They are dropped from queries only: documents keep them, so an article titled
# "Can I use a thin client?" is still indexed with every word.
EN_QUERY_STOPS = frozenset(
    """
    possible possibly way ways anyone anybody someone somebody know knows please thanks
    thank hi hello help want wants wanted like would need needs get gets got go going
    tell explain somehow anything something thing things really actually still just
    able best good easy easily simple
    question questions ask asking wonder wondering kind sort ok okay one also
    """.split()
)

RU_STOPS = frozenset(
    """
    а без более больше будет будто бы был была были было быть в вам вас вдруг ведь во вот
    впрочем все всегда всего всех всю вы где да даже для до его ее ей ему если есть еще
    ж же за зачем здесь и из или им иногда их к как какая какой когда конечно кто куда ли
    между меня мне много может можно мой моя мы на над надо наконец нас него нее ней
    ним них не нет ни но ну о об он она они опять от перед по под после потом потому почти при
    про раз разве с сам свою себе себя сейчас со совсем так такой там тебя тем теперь то
    тогда того тоже только том тот тут ты у уж уже хоть чего чем через что чтоб чтобы
    чуть эти этого этой этом этот эту я который весь свой этот также мочь это какой
    каков наш ваш либо всё ещё её нем нём ими кем чём ею мои моих моим моими твой
    твои ваши ваших вашим нашей наши наших такие такое таких такую таким
    """.split()
)

RU_QUERY_STOPS = frozenset(
    """
    возможно возможность подсказать сказать пожалуйста помочь помогите хотеть нужно
    нужный надо должный делать сделать каким каким-то образ способ вопрос спасибо
    здравствовать добрый день привет почему зачем какой-то как-то нибудь либо
    скажите подскажите можно ли
    """.split()
)
