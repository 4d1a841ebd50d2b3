# ruff: noqa: RUF001
"""Russian texts (same keys and placeholders as en.py)."""

TEXTS: dict[str, str] = {
    # Command menu
    "cmd_start": "Начать или открыть главное меню",
    "cmd_generate": "Создать новую обложку",
    "cmd_faces": "Твои сохранённые фото лица",
    "cmd_balance": "Твои кредиты и цены",
    "cmd_profile": "Твой профиль",
    "cmd_history": "История твоих обложек",
    "cmd_referral": "Приглашай друзей и получай кредиты",
    "cmd_buy": "Пополнить кредиты",
    "cmd_subscription": "Твоя ежемесячная подписка",
    "cmd_cancel": "Отменить текущее действие",
    "cmd_help": "Что я умею",
    "cmd_terms": "Условия использования",
    "cmd_paysupport": "Помощь с оплатой и возвратами",
    # Admin command menu (published to admins only)
    "cmd_admin": "Админ: все инструменты кнопками",
    "cmd_stats": "Админ: пользователи, генерации, кредиты, выручка",
    "cmd_audit": "Админ: последние действия админов",
    "cmd_user": "Админ: найти пользователя",
    "cmd_grant": "Админ: начислить кредиты",
    "cmd_revoke": "Админ: списать кредиты",
    "cmd_refund": "Админ: вернуть платёж в Stars",
    "cmd_setcost": "Админ: изменить цену режима",
    "cmd_setmodel": "Админ: изменить модель режима",
    "cmd_mode": "Админ: включить или выключить режим",
    "cmd_ban": "Админ: заблокировать пользователя",
    "cmd_unban": "Админ: снять блокировку",
    "cmd_broadcast": "Админ: рассылка всем пользователям",
    "cmd_broadcast_stop": "Админ: остановить рассылку",
    # Start and menu
    "welcome_new": (
        "👋 Привет, {name}! Я делаю яркие обложки для YouTube с помощью ИИ.\n\n"
        "Бесплатных кредитов для старта: <b>{credits}</b>. Одна обложка "
        "стоит {min_cost}–{max_cost}.\n\n"
        "Чем займёмся?"
    ),
    "welcome_back": "👋 С возвращением, {name}! Кредитов на балансе: <b>{credits}</b>.",
    "btn_generate": "🎨 Новая обложка",
    "btn_faces": "🙂 Мои лица",
    "btn_balance": "💰 Баланс",
    "btn_referral": "🎁 Пригласить друзей",
    "btn_help": "❓ Помощь",
    "btn_buy": "💳 Получить кредиты",
    "btn_open_private": "Открыть личный чат",
    "referral_applied_new": "🎁 Ты здесь по приглашению друга, и он уже получил за это кредиты.",
    "referral_not_new": (
        "Эта ссылка-приглашение для новых пользователей. Ты уже с нами, так "
        "что ничего не меняется 🙂"
    ),
    "referral_unknown": (
        "Эта ссылка-приглашение недействительна (возможно, она обрезалась), но всё в порядке: ты "
        "уже можешь пользоваться ботом."
    ),
    "referral_self": "Это твоя собственная ссылка-приглашение. Лучше поделись ею с друзьями!",
    "referral_rewarded": (
        "🎉 {name} теперь с нами благодаря твоей ссылке! Кредитов на балансе: <b>{credits}</b>. "
        "Друзей пришло по твоей ссылке: <b>{joined}</b>."
    ),
    "help": (
        "<b>Что я умею</b>\n"
        "Я создаю обложки 1280×720 для YouTube по описанию, по ссылке на видео, с твоим лицом или "
        "в стиле успешного ролика.\n\n"
        "/generate — создать обложку\n"
        "/faces — твои сохранённые фото лица (пришли фото, чтобы добавить новое)\n"
        "/style — стиль канала: цвета, шрифт, логотип, лицо по умолчанию\n"
        "/balance — кредиты и цены\n"
        "/history — твои обложки\n"
        "/referral — приглашай друзей и получай кредиты\n"
        "/buy — пополнить кредиты\n"
        "/subscription — ежемесячная подписка\n"
        "/profile — твой профиль\n"
        "/cancel — отменить текущее действие\n"
        "/terms — условия использования\n"
        "/paysupport — помощь с оплатой и возвратами"
    ),
    "help_group": (
        "Я делаю обложки для YouTube с помощью ИИ. Напиши мне в личные сообщения: @{bot}\n"
        "В группах я могу поделиться твоей ссылкой-приглашением: /referral"
    ),
    "terms": (
        "<b>Условия использования</b>\n\n"
        "1. Кредиты тратятся на создание обложек; цена обложки показывается до того, как ты "
        "подтвердишь заказ. Кредиты не имеют денежной стоимости и не передаются.\n"
        "2. Если обложку не удалось создать, кредиты за неё возвращаются автоматически.\n"
        "3. Загружай только те фото, на которые у тебя есть права. Не загружай фото "
        "других людей без их согласия.\n"
        "4. Созданные обложки можно использовать, в том числе в коммерческих целях.\n"
        "5. Мы храним твои фото лица, пока ты их не удалишь (/faces), а также созданные обложки, "
        "чтобы показывать их в /history.\n"
        "6. По вопросам оплаты и возвратов пиши в /paysupport."
    ),
    "paysupport": (
        "<b>Оплата и возвраты</b>\n\n"
        "• Кредиты из пакета или подписки приходят сразу после оплаты; "
        "смотри /balance.\n"
        "• В /subscription видна твоя подписка; там же можно в любой момент отключить "
        "продление, оплаченный период останется.\n"
        "• Если обложку не удалось создать, кредиты вернутся автоматически.\n"
        "• Если платёж не дошёл или ты хочешь вернуть деньги, напиши нам прямо здесь, "
        "указав дату и сумму, и администратор ответит в течение 48 часов. Stars "
        "возвращаются на твой баланс в Telegram, оплата картой — на карту. При "
        "возврате списываются кредиты, полученные за этот платёж, если они ещё не "
        "потрачены."
    ),
    "unknown_command": "Я не знаю команду {command}. Вот что я умею: /help",
    "stray_message": (
        "Я делаю обложки 🙂 Нажми кнопку ниже или отправь /generate, чтобы создать обложку, или "
        "/help, чтобы узнать всё, что я умею."
    ),
    "youtube_link_hint": (
        "Это ссылка на YouTube! Нажми кнопку ниже, выбери режим и пришли ссылку "
        "ещё раз, когда я попрошу."
    ),
    "group_pointer": "Давай продолжим в личке, чтобы баланс и фото были видны только тебе 👇",
    "error_generic": "Извини, у нас что-то пошло не так. Попробуй ещё раз чуть позже.",
    "stale_button": "Эта кнопка больше не работает. Отправь /generate, чтобы начать заново.",
    "banned": "🚫 Твой аккаунт заблокирован. Если это ошибка, напиши в /paysupport.",
    "mode_disabled": (
        "Этот вид обложек сейчас выключен; ничего не списано. "
        "Отправь /generate, чтобы выбрать другой."
    ),
    "reason_account_banned": "Этот аккаунт заблокирован.",
    # Account
    "balance": (
        "💰 Кредитов на балансе: <b>{credits}</b>.\n\n"
        "<b>Цены</b>\n"
        "{prices}\n\n"
        "Получай ещё, приглашая друзей (/referral), или пополни баланс через /buy."
    ),
    "price_line": "• {cost} кр. — ",
    "profile": (
        "👤 <b>{name}</b>\n"
        "Кредиты: <b>{credits}</b>\n"
        "Твой код приглашения: <code>{code}</code>\n"
        "Кто пригласил: {referrer}\n"
        "Тариф: {plan}\n"
        "Создано обложек: {made}"
    ),
    "nobody": "никто",
    "plan_none": "без подписки",
    "plan_active": "ежемесячная, оплачена до {until}",
    "referral": (
        "🎁 Приглашай друзей! За каждого, кто запустит бота по твоей ссылке, ты получаешь "
        "бонус: <b>{bonus}</b> кр.\n\n"
        "{link}\n\n"
        "Пришли по твоей ссылке: <b>{joined}</b>\n"
        "Заработано кредитов: <b>{earned}</b>"
    ),
    "history_empty": "У тебя пока нет созданных обложек.",
    "history_header": "🗂 Твои обложки ({first}–{last} из {total}):",
    "history_line": "{n}. {icon} {mode} · {date} · {prompt}",
    "buy_options": (
        "💳 Кредитов на балансе: <b>{credits}</b>.\n\n"
        "{offers}\n\n"
        "Или получай <b>{bonus}</b> кр. за каждого друга, который придёт по твоей "
        "ссылке:\n"
        "{link}\n\n"
        "Вопросы об оплате: /paysupport"
    ),
    # Payments and the monthly plan
    "buy_packs_header": "<b>Пакеты кредитов</b> (оплата в Telegram Stars):",
    "pack_line": "• {credits} кр. — {stars} ⭐",
    "pack_line_bonus": "• {credits} + {bonus} бонусных кр. — {stars} ⭐",
    "buy_plan_line": "• <b>Подписка</b>: {credits} кр. каждые 30 дней — {stars} ⭐ (/subscription)",
    "btn_pack_stars": "⭐ {credits} кр. — {stars} ⭐",
    "btn_pack_card": "💳 {credits} кр. — {price} картой",
    "btn_plan": "📅 Ежемесячная подписка",
    "offer_gone": "Это предложение больше недоступно. Отправь /buy, чтобы увидеть актуальные.",
    "invoice_pack_title": "{credits} кредитов",
    "invoice_pack_description": (
        "{credits} кредитов на обложки с ИИ ({base} + {bonus} бонусных). Кредиты не сгорают."
    ),
    "invoice_price_label": "Кредиты",
    "invoice_plan_title": "Ежемесячная подписка",
    "invoice_plan_description": (
        "{credits} кредитов каждые 30 дней на обложки с ИИ. Продлевается "
        "автоматически; отключить можно в любой момент в /subscription."
    ),
    "checkout_pack": "{credits} кредитов",
    "checkout_plan": "ежемесячную подписку ({credits} кредитов в месяц)",
    "checkout_link": (
        "💳 Оплати картой {what} на защищённой странице Stripe. Кредиты придут в этот "
        "чат сразу после оплаты."
    ),
    "btn_open_checkout": "💳 Открыть страницу оплаты",
    "checkout_unavailable": "Оплата картой сейчас недоступна. Оплати в Stars или попробуй позже.",
    "precheckout_unknown_product": (
        "Это предложение больше недоступно. Отправь /buy, чтобы увидеть актуальные."
    ),
    "precheckout_price_changed": (
        "Цена изменилась после создания этого счёта. Отправь /buy, чтобы получить новый."
    ),
    "precheckout_banned": (
        "С этого аккаунта нельзя совершать покупки. Если это ошибка, напиши в /paysupport."
    ),
    "precheckout_wrong_account": (
        "Этот счёт выставлен для другого аккаунта. Отправь /buy, чтобы получить свой."
    ),
    "precheckout_already_subscribed": "У тебя уже есть эта подписка. Смотри /subscription.",
    "precheckout_error": "Не получилось проверить платёж. Деньги не списаны — попробуй позже.",
    "pack_credited": "✅ Оплата получена: <b>+{credits}</b> кр. Баланс: <b>{balance}</b>.",
    "subscription_started": (
        "✅ Подписка оформлена! <b>+{credits}</b> кр. сейчас и в каждом следующем "
        "периоде. Оплачено до {until}. Баланс: <b>{balance}</b>."
    ),
    "subscription_renewed": (
        "🔁 Подписка продлена: <b>+{credits}</b> кр. Оплачено до {until}. Баланс: <b>{balance}</b>."
    ),
    "refunded": (
        "↩️ Платёж возвращён, поэтому его <b>{credits}</b> кр. списаны. Баланс: <b>{balance}</b>."
    ),
    "refunded_shortfall": (
        "↩️ Платёж возвращён. Мы списали оставшиеся <b>{credits}</b> кр.; ещё "
        "{shortfall} уже были потрачены. Баланс: <b>{balance}</b>."
    ),
    "payment_mismatch_currency": (
        "⚠️ Твой платёж {paid} пришёл не в той валюте, в которой продаётся {what} ({price}), "
        "поэтому кредиты не начислены. Баланс: <b>{balance}</b>. Администраторы уже в курсе; "
        "напиши в /paysupport, чтобы вернуть деньги."
    ),
    "payment_mismatch_underpaid": (
        "⚠️ Твой платёж {paid} меньше цены: {what} стоит {price}, поэтому кредиты не "
        "начислены. Баланс: <b>{balance}</b>. Администраторы уже в курсе; напиши в "
        "/paysupport, чтобы вернуть деньги."
    ),
    "payment_mismatch_overpaid": (
        "✅ Оплата получена: <b>+{credits}</b> кр. Баланс: <b>{balance}</b>. Ты заплатил "
        "{paid} — больше цены ({what}: {price}); администраторы в курсе, разницу можно "
        "вернуть через /paysupport."
    ),
    "mismatch_what_pack": "пакет на {credits} кредитов",
    "mismatch_what_plan": "ежемесячная подписка",
    "admin_payment_mismatch": (
        "⚠️ <b>Оплата не совпала с ценой</b> ({reason}): пользователь {user} заплатил {paid} "
        "за {product} по цене {price}; начислено {credits} из {due} кр.\n"
        "Платёж {payment} ({provider} {charge}). Вернуть деньги: /refund {payment}"
    ),
    "payment_unmatched": (
        "⚠️ Я получил твой платёж {paid}, но он не подходит ни к одному товару, поэтому "
        "кредиты не начислены. Администраторы уже в курсе; напиши в /paysupport, чтобы "
        "вернуть деньги."
    ),
    "admin_payment_unmatched": (
        "⚠️ <b>Платёж без товара</b>: пользователь {user} заплатил {paid} с payload {payload}, "
        "который не называет ничего из продаваемого; ничего не начислено. Платёж Telegram "
        "{charge}."
    ),
    "subscription_ended": (
        "📅 Твоя ежемесячная подписка закончилась. Отправь /subscription, чтобы оформить её снова."
    ),
    "subscription_none": (
        "📅 <b>Ежемесячная подписка</b>: {credits} кр. каждые 30 дней за {stars} ⭐, "
        "продлевается автоматически. Отключить можно в любой момент.\n\n"
        "У тебя пока нет подписки."
    ),
    "subscription_active": (
        "📅 Твоя <b>ежемесячная подписка</b> активна: {credits} кр. за каждый период.\n"
        "Оплачено до: <b>{until}</b>\n"
        "{renewal}"
    ),
    "subscription_renews": "Продлевается автоматически.",
    "subscription_renewal_off": "Продление отключено: подписка закончится в эту дату.",
    "subscription_unavailable": "Подписка сейчас недоступна. Пакеты кредитов — в /buy.",
    "btn_subscribe_stars": "⭐ Подписаться — {stars} ⭐ / 30 дней",
    "btn_subscribe_card": "💳 Подписаться картой — {price} / мес.",
    "btn_cancel_subscription": "✖️ Отключить продление",
    "btn_resume_subscription": "🔁 Включить продление",
    "subscription_cancelled": (
        "Продление отключено. Подписка и её кредиты остаются у тебя до {until}; больше "
        "списаний не будет."
    ),
    "subscription_resumed": "Продление снова включено. Следующее продление — {until}.",
    "subscription_change_failed": (
        "Не получилось изменить подписку. Попробуй позже или напиши в /paysupport."
    ),
    "admin_usage_refund": "Использование: /refund &lt;id платежа или Telegram charge id&gt;",
    "admin_usage_adjust": (
        "Использование: /{command} &lt;telegram id&gt; &lt;количество&gt; &lt;причина…&gt;"
    ),
    "admin_payment_not_found": "Платёж {reference} не найден.",
    "admin_refund_stripe": (
        "Это оплата картой: сделай возврат в панели Stripe; вебхук charge.refunded спишет кредиты."
    ),
    "admin_refund_failed": "Telegram отказал в возврате: {error}. Ничего не списано.",
    "admin_refund_done": (
        "Платёж {payment} ({amount} {currency}) пользователя {user} возвращён: списано "
        "{taken} из {credits} кр. (недостача {shortfall}). Новый баланс: {balance}."
    ),
    "admin_refund_already": (
        "Платёж {payment} ({amount} {currency}) пользователя {user} уже был возвращён: "
        "списано {taken} из {credits} кр. (недостача {shortfall}). Баланс: {balance}."
    ),
    "admin_user_not_found": "Нет пользователя с Telegram id {telegram_id}.",
    "admin_adjusted": "Готово: {delta} кр. пользователю {user}. Новый баланс: {balance}.",
    "admin_revoke_short": "У пользователя только {balance} кр.; ничего не списано.",
    # Admin: menu, /stats, /audit (handlers/admin_menu.py)
    "admin_menu": (
        "🛠 <b>Инструменты админа</b>. Статистика и журнал открываются здесь; остальные кнопки "
        "подскажут, как набрать команду."
    ),
    "btn_adm_stats": "📊 Статистика",
    "btn_adm_audit": "🧾 Журнал действий",
    "btn_adm_user": "👤 Найти пользователя",
    "btn_adm_grant": "➕ Начислить кредиты",
    "btn_adm_revoke": "➖ Списать кредиты",
    "btn_adm_refund": "↩️ Возврат",
    "btn_adm_setcost": "💲 Цена режима",
    "btn_adm_setmodel": "🧠 Модель режима",
    "btn_adm_mode": "🔌 Режим вкл/выкл",
    "btn_adm_ban": "🚫 Заблокировать",
    "btn_adm_unban": "✅ Разблокировать",
    "btn_adm_broadcast": "📣 Рассылка",
    "btn_adm_broadcast_stop": "⏹ Остановить рассылку",
    "admin_usage_broadcast_stop": (
        "Использование: /broadcast_stop останавливает текущую рассылку; отправленное остаётся "
        "отправленным."
    ),
    "admin_usage_audit": (
        "Использование: /audit [n]: последние n действий админов, n от 1 до {max} (по умолчанию "
        "{default})."
    ),
    "audit_title": "🧾 Последние {count} действий админов, сначала новые:",
    "audit_empty": "Действий админов пока нет.",
    "audit_entry": (
        "<b>{when}</b> · админ <code>{admin}</code> · <b>{action}</b>\n{arguments}\n{before} → "
        "{after}"
    ),
    "stats_title": "📊 <b>Статистика</b> на {at} UTC",
    "stats_users": (
        "<b>Пользователи</b>: {total} · новых сегодня {today} · за 7 дней {week} · за 30 дней "
        "{month} · активных за 7 дней {active}"
    ),
    "stats_generations": "<b>Генерации</b> по режимам и статусам (24 ч / 7 дней):",
    "stats_generations_none": "за 7 дней не было",
    "stats_outcomes": (
        "Доля сбоев {rate_day} / {rate_week} · медианное время до доставки {median_day} / "
        "{median_week}"
    ),
    "stats_credits": (
        "<b>Кредиты</b> (сегодня / 7 дней / 30 дней):\nначислено бесплатно {granted}\nкуплено "
        "{bought}\nпотрачено {spent}\nвозвращено за сбои {refunded}\nсписано обратно "
        "{taken_back}\nНа балансах сейчас: <b>{outstanding}</b>"
    ),
    "stats_revenue": "<b>Выручка</b> (сегодня / 7 дней / 30 дней, без возвратов):",
    "stats_revenue_none": "за 30 дней платежей не было",
    "stats_provider_telegram_stars": "⭐ Stars",
    "stats_provider_stripe": "💳 Карта",
    "stats_growth": (
        "<b>Регистрации по приглашениям</b>: {total} · сегодня {today} · за 7 дней {week} · за 30 "
        "дней {month}\n<b>Активные подписки</b>: {subscriptions}"
    ),
    # Admin: users and bans (handlers/admin_users.py)
    "admin_usage_user": "Формат: /user &lt;telegram id | @username | реферальный код&gt;",
    "admin_usage_ban": (
        "Формат: /ban &lt;telegram id | @username | реферальный код&gt; &lt;причина…&gt;"
    ),
    "admin_usage_unban": "Формат: /unban &lt;telegram id | @username | реферальный код&gt;",
    "admin_no_such_user": "Пользователь {who} не найден.",
    "admin_user_card": (
        "👤 <b>{name}</b> · id <code>{telegram_id}</code> · {username}\n"
        "Баланс: <b>{credits}</b> кр. · язык: {lang} · с нами с {joined}\n"
        "Статус: {status}\n"
        "Пригласил: {referrer} · привёл {invited} (заработал {earned} кр.) · "
        "код <code>{code}</code>\n"
        "Подписка: {plan}\n\n"
        "<b>Операции</b> (последние {ledger_rows}):\n{ledger}\n\n"
        "<b>Платежи</b>:\n{payments}\n\n"
        "<b>Генерации</b>:\n{generations}"
    ),
    "admin_card_banned": "🚫 заблокирован с {since}: {reason}",
    "admin_card_not_banned": "✅ не заблокирован",
    "admin_card_plan": "{plan}, оплачена до {end}",
    "admin_card_none": "нет",
    "btn_admin_ban": "🚫 Заблокировать",
    "btn_admin_unban": "✅ Разблокировать",
    "btn_admin_confirm": "✅ Подтвердить",
    "admin_confirm_adjust": (
        "{delta} кр. для {user} (баланс {credits})? Подтверди, чтобы записать с причиной "
        "«{reason}», или отправь <code>/{command} {telegram_id} {amount} </code> со своей "
        "причиной."
    ),
    "admin_confirm_ban": (
        "Заблокировать {user}? Незавершённые генерации будут возвращены. Подтверди, чтобы "
        "заблокировать с причиной «{reason}», или отправь <code>/ban {telegram_id} </code> "
        "со своей причиной."
    ),
    "admin_confirm_unban": "Снять блокировку с {user}?",
    "admin_button_reason": "из карточки /user",
    "admin_cancelled": "Отменено; ничего не изменилось.",
    "admin_ban_admin": "Администратора нельзя заблокировать.",
    "admin_banned": (
        "🚫 {user} заблокирован. Возвращено незавершённых генераций: {jobs} ({credits} кр.)."
    ),
    "admin_banned_again": "{user} уже был заблокирован; причина обновлена.",
    "admin_unbanned": "✅ {user} больше не заблокирован.",
    "admin_was_not_banned": "{user} не был заблокирован; ничего не изменилось.",
    # Admin: the catalogue (handlers/admin_catalog.py)
    "admin_usage_setcost": "Формат: /setcost &lt;тип&gt; &lt;кредиты 0–{max}&gt;",
    "admin_usage_mode": "Формат: /mode &lt;тип&gt; on|off",
    "admin_usage_setmodel": (
        "Формат: /setmodel &lt;тип&gt; &lt;owner/model[:version]&gt; "
        "[шаблон входных данных, JSON-объект]"
    ),
    "admin_unknown_type": "Режима {type} нет. Режимы: {types}",
    "admin_cost_range": "Цена должна быть от 0 до {max} кр.",
    "admin_cost_set": (
        "{type} теперь стоит <b>{after}</b> кр. (было {before}). Заказ, показанный по старой "
        "цене, перед списанием спросит ещё раз по новой."
    ),
    "admin_mode_on": "✅ {type} включён: его снова предлагают.",
    "admin_mode_off": (
        "⛔ {type} выключен: его нет в меню, а заказы на него отклоняются без списания."
    ),
    "admin_model_invalid": (
        "Это не модель Replicate: нужно owner/name или owner/name:&lt;версия из 64 hex&gt;."
    ),
    "admin_template_bad_json": "Шаблон — не корректный JSON: {error}",
    "admin_template_not_object": "Шаблон должен быть JSON-объектом.",
    "admin_template_unknown": "Генератор не заполняет {names}.",
    "admin_template_no_prompt": "В шаблоне должен быть {placeholder} (промпт обложки).",
    "admin_template_picture_in_text": (
        "Картинка-заполнитель должна быть отдельным значением (\"input_image\": "
        "\"{example}\"), а не частью текста."
    ),
    "admin_template_pictures": (
        "Для {type} шаблон должен использовать {needed} и может использовать только эти "
        "картинки: {offered}."
    ),
    "admin_model_preview": (
        "<b>Новая модель для {type}</b> (ещё не применена)\n"
        "Модель: {before} → <b>{model}</b>\n"
        "Шаблон входных данных:\n<pre>{template}</pre>"
    ),
    "btn_admin_apply": "✅ Применить",
    "admin_model_applied": "✅ {type} теперь использует {model}.",
    "admin_model_cancelled": "Отменено; у {type} прежняя модель.",
    "admin_proposal_decided": "Это изменение уже применено или отменено.",
    # Broadcasts (admin)
    "broadcast_ask_text": (
        "📣 Новая рассылка. Пришлите сообщение: текст или фото с подписью. "
        "Форматирование сохранится."
    ),
    "broadcast_ask_button": (
        "Добавить кнопку-ссылку? Пришлите <code>Текст | https://ссылка</code> или пропустите."
    ),
    "broadcast_pick_audience": "☝️ Так сообщение увидят пользователи. Кому отправить?",
    "broadcast_confirm": (
        "Отправить рассылку #{id} <b>{count}</b> пользователям ({audience})? Те, кто "
        "заблокировал бота или забанен, пропускаются."
    ),
    "broadcast_progress": (
        "📣 Рассылка #{id}: готово {done} из {total}.\n"
        "Доставлено {sent} · заблокировали {blocked} · ошибок {failed}"
    ),
    "broadcast_done_report": (
        "✅ Рассылка #{id} завершена.\n"
        "Доставлено <b>{sent}</b> · заблокировали {blocked} · ошибок {failed}"
    ),
    "broadcast_stopped_report": (
        "⏹ Рассылка #{id} остановлена.\n"
        "Доставлено <b>{sent}</b> · заблокировали {blocked} · ошибок {failed} · "
        "не отправлено {pending}"
    ),
    "broadcast_unconfirmed": (
        "{count} отправок прервал перезапуск; они не повторялись (могли дойти)."
    ),
    "broadcast_stopped": (
        "⏹ Рассылка #{id} остановлена: доставлено {sent}, не отправлено {pending}. "
        "Продолжение отправит только им."
    ),
    "broadcast_resumed": "▶️ Рассылка #{id} продолжается.",
    "broadcast_none_running": "Сейчас рассылок нет.",
    "broadcast_cancelled": "Рассылка отменена.",
    "broadcast_needs_text": "Рассылке нужен текст: пришлите текст или фото с подписью.",
    "broadcast_bad_button": (
        "Это не кнопка-ссылка. Пришлите <code>Текст | https://ссылка</code> (текст до 64 "
        "символов, ссылка http или https) или пропустите."
    ),
    "broadcast_gone": "Эту рассылку уже не изменить. Начните новую: /broadcast.",
    "audience_all": "все",
    "audience_active": "активные за 30 дней",
    "audience_paying": "платившие",
    "audience_language": "язык {code}",
    "btn_broadcast_skip": "⏭ Пропустить",
    "btn_broadcast_cancel": "✖️ Отмена",
    "btn_broadcast_send": "✅ Отправить",
    "btn_broadcast_resume": "▶️ Продолжить",
    "btn_audience_all": "👥 Все · {count}",
    "btn_audience_active": "🔥 Активные 30 дней · {count}",
    "btn_audience_paying": "💳 Платившие · {count}",
    "btn_audience_language": "🗣 {code} · {count}",
    # Faces
    "face_offer": "Отличное фото! Сохранить его как лицо для обложек?",
    "btn_save_face": "✅ Сохранить лицо",
    "btn_skip": "✖️ Не надо",
    "face_saved": (
        "✅ Сохранено! Лиц: {count} из {max}. Используй его в режимах с лицом в /generate."
    ),
    "face_already": "Это фото уже сохранено, оно есть в /faces ({count} из {max}).",
    "face_skipped": "Хорошо, не сохраняю.",
    "face_limit": "Сохранено максимум лиц ({max}). Сначала удали одно в /faces.",
    "faces_list": "🙂 Твои сохранённые лица ({count} из {max}):",
    "faces_empty": (
        "Сохранённых лиц пока нет. Пришли чёткое фото своего лица при хорошем освещении."
    ),
    "face_caption": "Лицо {n}",
    "btn_delete_face": "🗑 Удалить",
    "face_deleted": "Удалено.",
    "face_gone": "Это лицо уже удалено.",
    "image_too_big": "Файл слишком большой: максимум {limit_mb} МБ.",
    "image_too_small": "Фото слишком маленькое: нужно минимум {min_side}×{min_side} пикселей.",
    "image_wrong_type": (
        "Это фото мне не подходит. Пришли изображение в формате JPEG, PNG или WebP."
    ),
    "image_unreadable": "Не получается прочитать это изображение. Попробуй другое фото.",
    "face_not_found": (
        "Не могу найти лицо на этом фото. Пришли чёткое фото одного лица анфас"
        " (при хорошем свете и не слишком мелко)."
    ),
    "face_largest_kept": "На фото несколько лиц ({found}), я взял самое крупное.",
    "document_not_image": "Это файл типа {kind}. Пришли лучше фото (JPEG, PNG или WebP).",
    "sticker": "Стикеры — это здорово, но мне нужно настоящее фото 🙂",
    # Generate
    "choose_mode": "🎨 Какую обложку делаем? Кредитов на балансе: <b>{credits}</b>.",
    "mode_text_to_thumbnail": "✍️ По описанию",
    "mode_youtube_thumbnail": "📺 Для видео на YouTube",
    "mode_your_face": "🙂 С твоим лицом",
    "mode_face_youtube": "🙂📺 Твоё лицо + видео на YouTube",
    "mode_top_youtube_style": "🏆 В стиле топового видео",
    "mode_top_youtube_style_face": "🏆🙂 Топовый стиль + твоё лицо",
    "mode_chosen": "Режим: {mode}",
    "ask_prompt": (
        "Опиши своё видео одним предложением: о чём оно и какое у него "
        "настроение. (До {max} символов.)"
    ),
    "ask_video": "Пришли ссылку на своё видео на YouTube или просто напиши его название.",
    "ask_style": (
        "Пришли ссылку на успешное видео на YouTube, стиль обложки которого тебе "
        "нравится, или скриншот этой обложки."
    ),
    "ask_face": "Какое лицо использовать?",
    "ask_face_or_new": "Или пришли новое фото:",
    "ask_face_none": "Пришли чёткое фото своего лица. Я сохраню его и на будущее.",
    "btn_use_face": "✅ Использовать лицо {n}",
    "btn_new_face": "📷 Прислать новое фото",
    "prompt_too_short": "Коротковато. Опиши своё видео хотя бы в нескольких словах.",
    "prompt_too_long": (
        "Слишком длинно (символов: {length}). Уложись, пожалуйста, в {max_chars} символов."
    ),
    "not_youtube_link": (
        "Это не похоже на ссылку на видео YouTube. Пришли ссылку вида https://youtu.be/…"
    ),
    "video_private": "Это видео приватное, и я не могу его открыть. Попробуй другую ссылку.",
    "video_not_found": "Такого видео нет, или его удалили. Попробуй другую ссылку.",
    "youtube_unreachable": (
        "Сейчас не получается связаться с YouTube. Попробуй ещё раз через минуту."
    ),
    "video_found": "📺 Нашёл видео: <b>{title}</b>",
    "ask_title": (
        "Не получилось прочитать это видео: YouTube сейчас не отвечает. Напиши название "
        "видео, и я вынесу его на обложку (пока ничего не списано)."
    ),
    "style_not_link": (
        "Пришли ссылку на видео на YouTube или скриншот обложки, стиль которой тебе "
        "нравится."
    ),
    "style_unreadable": (
        "Не получилось прочитать обложку этого видео, поэтому я не смогу повторить её "
        "стиль. Пришли скриншот обложки или другую ссылку."
    ),
    "style_found": "🎨 Обложку получил: повторю её стиль.",
    "style_picture_saved": "🎨 Понял: повторю стиль этой картинки.",
    "summary_style_picture": "• Стиль как у: твоей картинки",
    "file_gone": "Этот файл мне больше недоступен. Пришли его, пожалуйста, ещё раз.",
    "result_caption": "🖼 {mode} · {date}\n<i>{asked}</i>",
    "price_changed": (
        "Цена изменилась: теперь {cost} кр., поэтому ничего не списано. "
        "Проверь и нажми ещё раз."
    ),
    "price_check": (
        "Сейчас это стоит <b>{cost}</b> кр. (у тебя <b>{credits}</b>). Нажми, чтобы "
        "продолжить."
    ),
    "order_resumed": "У тебя есть незаконченный заказ ({mode}), он сохранён. Продолжим:",
    "btn_new_order": "🆕 Лучше начать новый заказ",
    "btn_continue_order": "▶️ Продолжить заказ",
    "reason_style_unreadable": "Не получилось прочитать обложку видео-образца.",
    "flow_waiting_mode": "Выбери режим кнопками выше или отправь /cancel.",
    "flow_waiting_face": "Выбери лицо кнопками выше или пришли новое фото.",
    "flow_waiting_confirm": "Нажми «✅ Создать» выше, чтобы начать, или отправь /cancel.",
    "confirm": (
        "Всё готово! Твой заказ:\n"
        "{summary}\n\n"
        "Стоимость: <b>{cost}</b> кр. · Твой баланс: <b>{credits}</b> кр."
    ),
    "summary_mode": "• Режим: {mode}",
    "summary_prompt": "• Описание: {prompt}",
    "summary_video": "• Видео: {video}",
    "summary_style": "• Стиль как у: {style}",
    "summary_face": "• Лицо: {n}",
    "summary_format": "• Формат: {shape} ({width}×{height})",
    "summary_variants": "• Вариантов: {n}, каждый оплачивается отдельно",
    "summary_variants_compare": (
        "• Вариантов: {n}, заметно разных, для «Тестирования и сравнения» на YouTube"
    ),
    "btn_format_wide": "🖥 16:9 видео",
    "btn_format_tall": "📱 9:16 Shorts",
    "btn_format_square": "⬛ 1:1 пост",
    "btn_variants": "{n}×",
    "btn_variants_compare": "{n}× A/B-тест",
    "variants_short": "{n} варианта стоят {cost} кредитов, а у вас {credits}.",
    "btn_confirm": "✅ Создать ({cost} кр.)",
    "btn_cancel": "✖️ Отмена",
    "cancel_done": "Отменено, кредиты не списаны. Отправь /generate, чтобы начать заново.",
    "cancel_nothing": "Отменять нечего. Отправь /generate, чтобы создать обложку.",
    "insufficient": (
        "Не хватает кредитов: нужно <b>{cost}</b>, а у тебя <b>{credits}</b>. Заказ "
        "сохранён: пополни кредиты и нажми «▶️ Продолжить заказ» (или отправь /generate)."
    ),
    "charged": "Списано кредитов: {cost}. Осталось: {credits}.",
    "already_running": "Уже работаю! ⏳",
    "status_queued": "⏳ Твоя обложка в очереди…",
    "status_running": "🎨 Создаю обложку… {percent}%",
    "status_done": "✅ Готово!",
    "status_ready": (
        "✅ Обложка готова. Если её нет чуть выше, нажми кнопку, чтобы её увидеть."
    ),
    "btn_show_thumbnail": "🖼 Показать обложку",
    "status_failed": "😔 Не получилось.",
    "delivery_failed": (
        "✅ Обложка готова, но отправить её сейчас не получилось. Она ждёт тебя в /history."
    ),
    "delivered": "Вот твоя обложка! {mode}\n<i>{asked}</i>",
    "btn_regenerate": "🔁 Ещё вариант · {cost} кр.",
    "btn_edit": "✏️ Изменить",
    "btn_favourite": "⭐ В избранное",
    "btn_unfavourite": "🌟 В избранном ✓",
    "btn_full_quality": "📎 Файл в полном качестве",
    "btn_start_over": "🆕 Начать заново",
    "full_quality_caption": "Полное качество, JPEG {width}×{height}, готово для YouTube.",
    "generation_failed": (
        "Извини, не получилось создать эту обложку. {reason}\n\n"
        "Мы вернули <b>{refunded}</b> кр. Кредитов на балансе: <b>{credits}</b>."
    ),
    "reason_generation_failed": "У нас что-то пошло не так.",
    "reason_face_unreadable": "Не получилось использовать это фото лица.",
    "reason_face_missing": "Фото лица удалили раньше, чем я успел его использовать.",
    "reason_video_private": "Видео приватное.",
    "reason_video_not_found": "Такого видео нет, или его удалили.",
    "reason_not_youtube_link": "Это ссылка не на видео YouTube.",
    "reason_youtube_unreachable": "Не получилось связаться с YouTube.",
    "reason_generation_interrupted": "Задание несколько раз прерывалось на нашей стороне.",
    "reason_content_refused": (
        "Модель отклонила запрос по своим правилам о контенте. Попробуй описать иначе."
    ),
    "reason_provider_failed": "У модели изображений возникла проблема.",
    "reason_provider_timeout": "Модель изображений отвечала слишком долго.",
    # --- generators (H1) ---
    "logo_unreadable": "Не получилось прочитать этот логотип. Пришли картинку PNG или JPEG.",
    # --- variants (H3) ---
    "status_variants_queued": "⏳ Твои варианты ({n}) в очереди…",
    "status_variants_running": "🎨 Создаю варианты ({n})… {percent}%\n✅ Готово: {ready} из {n}",
    "status_variants_ready": (
        "✅ Варианты готовы. Если их нет прямо выше, нажми на номер, чтобы увидеть каждый."
    ),
    "btn_show_variant": "🖼 {n}",
    "variants_delivered": "Вот твои варианты ({n})! {mode}\n<i>{asked}</i>",
    "variant_caption": "Вариант {n}",
    "variants_buttons": (
        "👆 Выше вариантов: {n}. Для каждого номера: 📎 файл в полном качестве · "
        "✏️ правка · 🔁 ещё один такой ({cost} кредитов)."
    ),
    "btn_variant_file": "📎 {n}",
    "btn_variant_edit": "✏️ {n}",
    "btn_variant_again": "🔁 {n}",
    "variant_failed": (
        "❌ Вариант {n} не получился. {reason} Его <b>{refunded}</b> кредитов вернулись."
    ),
    "variants_balance": "Твой баланс: <b>{credits}</b>.",
    # --- brand kit (H4) ---
    "cmd_style": "Стиль канала: цвета, шрифт, логотип",
    "style_sample": "ТВОЙ ЗАГОЛОВОК",
    "style_title": "🎨 <b>Стиль твоего канала</b>",
    "style_empty": (
        "🎨 <b>Стиль твоего канала</b> пока пуст.\n\n"
        "Сохрани один раз цвета, шрифт и место заголовка, логотип и лицо по умолчанию "
        "или возьми их с понравившейся обложки: каждый заказ сможет использовать их одним нажатием."
    ),
    "style_unset": "не задан",
    "style_colors": "• Цвета: {colors}",
    "style_font": "• Шрифт: {font}",
    "style_position": "• Заголовок: {where}",
    "style_logo": "• Логотип: {corner}",
    "style_no_logo": "• Логотип: нет",
    "style_face": "• Лицо по умолчанию: {n}",
    "style_no_face": "• Лицо по умолчанию: нет",
    "style_how_used": (
        "Новые заказы используют его: кнопка «🎨 Мой стиль» на экране подтверждения включает "
        "и выключает его. Режимы с лицом берут лицо по умолчанию, если не выбрать другое."
    ),
    "where_left": "слева",
    "where_right": "справа",
    "where_top": "сверху",
    "where_bottom": "снизу",
    "where_center": "по центру",
    "corner_top_left": "в левом верхнем углу",
    "corner_top_right": "в правом верхнем углу",
    "corner_bottom_left": "в левом нижнем углу",
    "corner_bottom_right": "в правом нижнем углу",
    "btn_style_colors": "🎨 Цвета",
    "btn_style_font": "🔤 Шрифт",
    "btn_style_position": "📍 Место заголовка",
    "btn_style_logo": "🏷 Логотип",
    "btn_style_face": "🙂 Лицо по умолчанию",
    "btn_style_import": "📥 Взять с обложки",
    "btn_style_reset": "🗑 Сбросить",
    "btn_style_preset_fire": "🔥 Огонь",
    "btn_style_preset_ocean": "🌊 Океан",
    "btn_style_preset_money": "💰 Деньги",
    "btn_style_preset_neon": "🌈 Неон",
    "btn_style_preset_mono": "⚫ Контраст",
    "style_ask_colors": (
        "Выбери палитру или пришли до 3 цветов, главный первым: hex-коды или названия, "
        "например <code>#ff3b1f, жёлтый, чёрный</code>."
    ),
    "style_colors_unreadable": (
        "«{bad}» — не знаю такого цвета. Пришли hex-коды вроде <code>#ff3b1f</code> или "
        "названия вроде <code>красный</code> через запятую. Ничего не изменилось."
    ),
    "style_colors_too_many": (
        "Это больше {max} цветов: пришли не больше {max}. Ничего не изменилось."
    ),
    "style_saved": "✅ Сохранено.",
    "style_ask_font": "Каким шрифтом писать заголовки?",
    "btn_style_font_auto": "Любым (обычным)",
    "style_ask_position": "Где разместить заголовок?",
    "btn_style_pos_left": "⬅️ Слева",
    "btn_style_pos_right": "➡️ Справа",
    "btn_style_pos_top": "⬆️ Сверху",
    "btn_style_pos_bottom": "⬇️ Снизу",
    "btn_style_pos_center": "⏺ По центру",
    "btn_style_pos_auto": "Где угодно",
    "style_ask_logo": (
        "Пришли логотип или водяной знак картинкой. Лучше всего PNG с прозрачным фоном: "
        "отправь его файлом, чтобы прозрачность сохранилась."
    ),
    "btn_style_top_left": "↖️ Слева сверху",
    "btn_style_top_right": "↗️ Справа сверху",
    "btn_style_bottom_left": "↙️ Слева снизу",
    "btn_style_bottom_right": "↘️ Справа снизу",
    "btn_style_logo_remove": "🗑 Убрать логотип",
    "style_logo_saved": "✅ Логотип сохранён.",
    "style_logo_blank": "Эта картинка полностью прозрачная: логотипа в ней не видно.",
    "style_ask_corner": "В какой угол поставить логотип?",
    "style_logo_removed": "✅ Логотип убран.",
    "style_ask_face": "Какое сохранённое лицо брать по умолчанию в режимах с лицом?",
    "btn_style_face_n": "🙂 Лицо {n}",
    "btn_style_face_none": "Без лица по умолчанию",
    "style_no_faces": (
        "У тебя ещё нет сохранённых лиц. Пришли фото своего лица, чтобы сохранить его, "
        "и вернись в /style."
    ),
    "style_ask_import": (
        "Пришли обложку, стиль которой тебе нравится (подойдёт скриншот). Я прочитаю её "
        "цвета и компоновку и сохраню как твой стиль."
    ),
    "style_read": "📥 Вот что я прочитал на этой обложке:",
    "style_read_colors": "• Цвета: {colors}",
    "style_read_face": "• Лицо: {where}",
    "style_read_no_face": "• Лицо: не найдено",
    "style_read_text": "• Текст: {where}",
    "style_read_no_text": "• Текст: не найден",
    "style_read_saved": "✅ Сохранено как твой стиль: эти цвета, а заголовок — {where}.",
    "style_read_saved_colors": (
        "✅ Сохранено как твой стиль: эти цвета. Где на ней заголовок, я не понял, "
        "так что место заголовка осталось прежним."
    ),
    "style_ask_reset": "Удалить сохранённый стиль (цвета, шрифт, место, логотип, лицо)?",
    "btn_style_reset_yes": "🗑 Да, сбросить",
    "style_reset_done": "Стиль сброшен. /style — чтобы задать новый.",
    "style_reset_nothing": "Сохранённого стиля и не было.",
    "style_cancelled": "Хорошо, стиль остался прежним.",
    "btn_my_style_on": "🎨 Мой стиль: вкл",
    "btn_my_style_off": "🎨 Мой стиль: выкл",
    "btn_another_face": "🙂 Другое лицо",
    "summary_my_style": "• Стиль: твой (/style)",
    "summary_default_face": (
        "🙂 Это твоё лицо по умолчанию из /style. Чтобы взять другое, нажми «🙂 Другое лицо»."
    ),
    # --- preview and favourites (H5) ---
    "preview_caption": "👀 Так обложка выглядит на YouTube, в светлой и тёмной теме.",
    "preview_unreadable": (
        "⚠️ В размере {width}×{height}, самом маленьком на YouTube, заголовок слишком "
        "мелкий, его не прочитать. Помогут меньше слов и крупнее: попробуй ✏️ Изменить."
    ),
    "preview_views": "12 тыс. просмотров",
    "preview_age": "2 часа назад",
    "history_header_favourites": "⭐ Твоё избранное ({first}–{last} из {total}):",
    "history_no_favourites": (
        "В избранном пока пусто. Нажми ⭐ В избранное под обложкой, которая нравится, и она "
        "появится здесь."
    ),
    "history_edit_of": "✏️ правка #{n}",
    "btn_history_favourites": "⭐ Только избранное",
    "btn_history_all": "🗂 Все",
    "favourite_added": "⭐ Добавлено в избранное",
    "favourite_removed": "Убрано из избранного",
    # --- edits (H2) ---
    "mode_edit_thumbnail": "✏️ Правка",
    "edit_examples": (
        "• <i>поменяй заголовок на «Я УВОЛИЛСЯ»</i>\n"
        "• <i>сделай текст красным</i>\n"
        "• <i>синий фон</i>\n"
        "• <i>лицо больше</i>\n"
        "• <i>поменяй стороны местами</i>\n"
        "• <i>больше контраста</i>"
    ),
    "edit_ask": (
        "✏️ Что поменять в этой обложке? Напиши сообщением, например:\n"
        "{examples}\n\n"
        "Ещё можно ответить (reply) на любую мою обложку тем, что в ней поменять."
    ),
    "edit_nothing": (
        "🤔 Не получится применить «{instruction}» к этой обложке, поэтому ничего не "
        "предложено и не списано.\n\nВот что я умею, например:\n{examples}\n\nИли /cancel."
    ),
    "edit_empty": "✏️ Напиши словами, что поменять, например:\n{examples}",
    "edit_too_long": (
        "✏️ Здесь {length} символов, а в правке может быть не больше {max}. "
        "Скажи короче, например:\n{examples}"
    ),
    "edit_gone": "Не нахожу эту обложку. Выбери другую в /history.",
    "edit_confirm": (
        "✏️ <b>Правка</b>. Я поменяю:\n{changes}{skipped}\n\n"
        "Стоимость: <b>{cost}</b> кредитов · Твой баланс: <b>{credits}</b>"
    ),
    "edit_skipped": "⚠️ Это здесь сделать нельзя, поэтому не будет применено: {phrases}",
    "edit_phrase": "«{phrase}»",
    "edit_change_model": "«{phrase}» (это сделает модель изображений)",
    "edit_change_headline": "заголовок → «{detail}»",
    "edit_change_text_color": "акцентный цвет (ключевое слово и фигуры) → {detail}",
    "edit_change_background": "цвет фона → {detail}",
    "edit_change_position_left": "заголовок слева",
    "edit_change_position_right": "заголовок справа",
    "edit_change_position_top": "заголовок сверху",
    "edit_change_position_bottom": "заголовок снизу",
    "edit_change_position_center": "заголовок по центру",
    "edit_change_face_bigger": "лицо крупнее",
    "edit_change_face_smaller": "лицо мельче",
    "edit_change_flip": "заголовок и картинка меняются местами",
    "edit_change_contrast_more": "больше контраста",
    "edit_change_contrast_less": "меньше контраста",
    "edit_change_brighter": "светлее",
    "edit_change_darker": "темнее",
    "edit_change_vivid": "цвета насыщеннее",
    "edit_change_muted": "цвета мягче",
    "btn_edit_confirm": "✅ Править ({cost} кредитов)",
    "edit_cancelled": "Хорошо, без правки. Кредиты не списаны.",
    "edit_caption_changed": "✏️ Изменено: {changes}",
    "edit_caption_skipped": "⚠️ Не применено (здесь это невозможно): {phrases}",
}
