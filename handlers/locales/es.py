# ruff: noqa: RUF001
"""Spanish texts (same keys and placeholders as en.py)."""

TEXTS: dict[str, str] = {
    # Command menu
    "cmd_start": "Empezar o ver el menú principal",
    "cmd_generate": "Crear una miniatura nueva",
    "cmd_faces": "Tus fotos de cara guardadas",
    "cmd_balance": "Tus créditos y precios",
    "cmd_profile": "Tu perfil",
    "cmd_history": "Las miniaturas que has creado",
    "cmd_referral": "Invita a amigos y gana créditos",
    "cmd_buy": "Consigue más créditos",
    "cmd_subscription": "Tu plan mensual",
    "cmd_cancel": "Salir de lo que estás haciendo",
    "cmd_help": "Qué puedo hacer",
    "cmd_terms": "Condiciones del servicio",
    "cmd_paysupport": "Ayuda con pagos y reembolsos",
    # Admin command menu (published to admins only)
    "cmd_admin": "Admin: todas las herramientas en botones",
    "cmd_stats": "Admin: usuarios, generaciones, créditos, ingresos",
    "cmd_audit": "Admin: las últimas acciones de admins",
    "cmd_user": "Admin: buscar un usuario",
    "cmd_grant": "Admin: dar créditos a un usuario",
    "cmd_revoke": "Admin: quitar créditos a un usuario",
    "cmd_refund": "Admin: reembolsar un pago en Stars",
    "cmd_setcost": "Admin: cambiar el precio de un modo",
    "cmd_setmodel": "Admin: cambiar el modelo de un modo",
    "cmd_mode": "Admin: activar o desactivar un modo",
    "cmd_ban": "Admin: bloquear a un usuario",
    "cmd_unban": "Admin: quitar un bloqueo",
    "cmd_broadcast": "Admin: mensaje a todos los usuarios",
    "cmd_broadcast_stop": "Admin: detener la difusión en curso",
    # Start and menu
    "welcome_new": (
        "👋 ¡Hola, {name}! Creo miniaturas llamativas para YouTube con IA.\n\n"
        "Tienes <b>{credits}</b> créditos gratis para empezar; una miniatura "
        "cuesta {min_cost}–{max_cost}.\n\n"
        "¿Qué quieres hacer?"
    ),
    "welcome_back": "👋 ¡Hola de nuevo, {name}! Tienes <b>{credits}</b> créditos.",
    "btn_generate": "🎨 Nueva miniatura",
    "btn_faces": "🙂 Mis caras",
    "btn_balance": "💰 Saldo",
    "btn_referral": "🎁 Invitar amigos",
    "btn_help": "❓ Ayuda",
    "btn_buy": "💳 Conseguir créditos",
    "btn_open_private": "Abrir un chat privado",
    "referral_applied_new": (
        "🎁 Llegaste con la invitación de un amigo: acaba de ganar créditos gracias a ti."
    ),
    "referral_not_new": (
        "Este enlace de invitación es para usuarios nuevos. Ya estás aquí, "
        "así que no cambia nada 🙂"
    ),
    "referral_unknown": (
        "Ese enlace de invitación no es válido (quizá se cortó), pero no pasa "
        "nada: ya puedes usar el bot."
    ),
    "referral_self": "Ese es tu propio enlace de invitación. ¡Mejor compártelo con tus amigos!",
    "referral_rewarded": (
        "🎉 ¡{name} se unió con tu enlace de invitación! Ahora tienes <b>{credits}</b> créditos. "
        "Amigos que se han unido hasta ahora: <b>{joined}</b>."
    ),
    "help": (
        "<b>Qué hago</b>\n"
        "Diseño miniaturas de YouTube de 1280×720 a partir de una descripción, un enlace de "
        "YouTube, tu cara o el estilo de un video exitoso.\n\n"
        "/generate – crear una miniatura\n"
        "/faces – tus fotos de cara guardadas (envíame una foto para añadir otra)\n"
        "/style – el estilo de tu canal: colores, fuente, logo, cara por defecto\n"
        "/balance – créditos y precios\n"
        "/history – las miniaturas que has creado\n"
        "/referral – invita a amigos y gana créditos\n"
        "/buy – consigue más créditos\n"
        "/subscription – tu plan mensual\n"
        "/profile – tu perfil\n"
        "/cancel – salir de lo que estás haciendo\n"
        "/terms – condiciones del servicio\n"
        "/paysupport – ayuda con pagos y reembolsos"
    ),
    "help_group": (
        "Creo miniaturas de YouTube con IA. Escríbeme por privado: @{bot}\n"
        "En los grupos puedo compartir tu enlace de invitación: /referral"
    ),
    "terms": (
        "<b>Condiciones del servicio</b>\n\n"
        "1. Los créditos se usan para crear miniaturas; el precio de cada miniatura "
        "se muestra antes de que confirmes. Los créditos no tienen valor monetario y "
        "no se pueden transferir.\n"
        "2. Si una miniatura falla, sus créditos se devuelven automáticamente.\n"
        "3. Sube solo fotos que tengas derecho a usar. No subas fotos de otras "
        "personas sin su consentimiento.\n"
        "4. Puedes usar las miniaturas que crees, también con fines comerciales.\n"
        "5. Guardamos tus fotos de cara hasta que las borres (/faces) y las miniaturas que crees, "
        "para mostrártelas en /history.\n"
        "6. Para dudas sobre pagos y reembolsos, consulta /paysupport."
    ),
    "paysupport": (
        "<b>Pagos y reembolsos</b>\n\n"
        "• Los créditos de un paquete o del plan mensual llegan justo después del "
        "pago; míralos en /balance.\n"
        "• En /subscription ves tu plan; ahí puedes desactivar la renovación cuando "
        "quieras y conservar lo que ya pagaste.\n"
        "• Si una miniatura falla, sus créditos vuelven automáticamente.\n"
        "• Si un pago no llegó o quieres un reembolso, escríbenos aquí con la fecha y "
        "el importe; un administrador te responderá en menos de 48 horas. Las Stars "
        "vuelven a tu saldo de Telegram y los pagos con tarjeta, a tu tarjeta. Un "
        "reembolso retira los créditos que dio ese pago, en la medida en que no se "
        "hayan gastado."
    ),
    "unknown_command": "No conozco el comando {command}. Esto es lo que puedo hacer: /help",
    "stray_message": (
        "Soy un creador de miniaturas 🙂 Toca abajo o envía /generate para crear una, o /help para "
        "ver todo lo que puedo hacer."
    ),
    "youtube_link_hint": (
        "¡Es un enlace de YouTube! Toca abajo, elige un modo y vuelve a enviarlo cuando te lo pida."
    ),
    "group_pointer": "Mejor sigamos por privado, así tu saldo y tus fotos quedan solo para ti 👇",
    "error_generic": (
        "Lo sentimos, algo salió mal por nuestra parte. Inténtalo de nuevo en un momento."
    ),
    "stale_button": "Este botón ya no funciona. Envía /generate para empezar de nuevo.",
    "banned": (
        "🚫 Tu cuenta está bloqueada. Si crees que es un error, escribe a /paysupport."
    ),
    "mode_disabled": (
        "Este tipo de miniatura está desactivado por ahora; no se cobró nada. "
        "Envía /generate para elegir otro."
    ),
    "reason_account_banned": "Esta cuenta fue bloqueada.",
    # Account
    "balance": (
        "💰 Tienes <b>{credits}</b> créditos.\n\n"
        "<b>Precios</b>\n"
        "{prices}\n\n"
        "Consigue más invitando a amigos (/referral) o con /buy."
    ),
    "price_line": "• {cost} créditos – ",
    "profile": (
        "👤 <b>{name}</b>\n"
        "Créditos: <b>{credits}</b>\n"
        "Tu código de invitación: <code>{code}</code>\n"
        "Te invitó: {referrer}\n"
        "Plan: {plan}\n"
        "Miniaturas creadas: {made}"
    ),
    "nobody": "nadie",
    "plan_none": "pago por uso",
    "plan_active": "mensual, pagado hasta el {until}",
    "referral": (
        "🎁 Invita a tus amigos: recibes <b>{bonus}</b> créditos por cada amigo que "
        "inicie el bot con tu enlace.\n\n"
        "{link}\n\n"
        "Se unieron con tu enlace: <b>{joined}</b>\n"
        "Créditos ganados: <b>{earned}</b>"
    ),
    "history_empty": "Todavía no has creado ninguna miniatura.",
    "history_header": "🗂 Tus miniaturas ({first}–{last} de {total}):",
    "history_line": "{n}. {icon} {mode} · {date} · {prompt}",
    "buy_options": (
        "💳 Tienes <b>{credits}</b> créditos.\n\n"
        "{offers}\n\n"
        "O gana <b>{bonus}</b> créditos por cada amigo que se una con tu enlace:\n"
        "{link}\n\n"
        "¿Dudas sobre pagos? /paysupport"
    ),
    # Payments and the monthly plan
    "buy_packs_header": "<b>Paquetes de créditos</b> (pago con Telegram Stars):",
    "pack_line": "• {credits} créditos – {stars} ⭐",
    "pack_line_bonus": "• {credits} + {bonus} créditos de regalo – {stars} ⭐",
    "buy_plan_line": (
        "• <b>Plan mensual</b>: {credits} créditos cada 30 días – {stars} ⭐ (/subscription)"
    ),
    "btn_pack_stars": "⭐ {credits} créditos – {stars} ⭐",
    "btn_pack_card": "💳 {credits} créditos – {price} con tarjeta",
    "btn_plan": "📅 Plan mensual",
    "offer_gone": "Esta oferta ya no está disponible. Envía /buy para ver las actuales.",
    "invoice_pack_title": "{credits} créditos",
    "invoice_pack_description": (
        "{credits} créditos para miniaturas con IA ({base} + {bonus} de regalo). Los "
        "créditos no caducan."
    ),
    "invoice_price_label": "Créditos",
    "invoice_plan_title": "Plan mensual",
    "invoice_plan_description": (
        "{credits} créditos cada 30 días para miniaturas con IA. Se renueva "
        "automáticamente; cancélalo cuando quieras en /subscription."
    ),
    "checkout_pack": "{credits} créditos",
    "checkout_plan": "el plan mensual ({credits} créditos al mes)",
    "checkout_link": (
        "💳 Paga con tarjeta {what} en la página segura de Stripe. Tus créditos llegan "
        "a este chat en cuanto se confirme el pago."
    ),
    "btn_open_checkout": "💳 Abrir la página de pago",
    "checkout_unavailable": (
        "El pago con tarjeta no está disponible ahora. Paga con Stars o inténtalo más tarde."
    ),
    "precheckout_unknown_product": (
        "Esta oferta ya no está disponible. Envía /buy para ver las actuales."
    ),
    "precheckout_price_changed": (
        "El precio cambió después de crear esta factura. Envía /buy para obtener una nueva."
    ),
    "precheckout_banned": (
        "Esta cuenta no puede hacer compras. Escribe a /paysupport si es un error."
    ),
    "precheckout_wrong_account": (
        "Esta factura se hizo para otra cuenta. Envía /buy para obtener la tuya."
    ),
    "precheckout_already_subscribed": "Ya tienes este plan. Mira /subscription.",
    "precheckout_error": (
        "Lo sentimos, no pudimos comprobar este pago ahora. No se te ha cobrado nada; "
        "inténtalo de nuevo en un momento."
    ),
    "pack_credited": "✅ Pago recibido: <b>+{credits}</b> créditos. Tu saldo es <b>{balance}</b>.",
    "subscription_started": (
        "✅ ¡Ya tienes el plan! <b>+{credits}</b> créditos ahora y en cada periodo. "
        "Pagado hasta el {until}. Tu saldo es <b>{balance}</b>."
    ),
    "subscription_renewed": (
        "🔁 Tu plan mensual se renovó: <b>+{credits}</b> créditos. Pagado hasta el "
        "{until}. Tu saldo es <b>{balance}</b>."
    ),
    "refunded": (
        "↩️ Tu pago fue reembolsado, así que se retiraron sus <b>{credits}</b> "
        "créditos. Tu saldo es <b>{balance}</b>."
    ),
    "refunded_shortfall": (
        "↩️ Tu pago fue reembolsado. Retiramos los <b>{credits}</b> créditos que te "
        "quedaban; los otros {shortfall} ya estaban gastados. Tu saldo es "
        "<b>{balance}</b>."
    ),
    "payment_mismatch_currency": (
        "⚠️ Tu pago de {paid} no llegó en la moneda en la que se vende {what} ({price}), así "
        "que no se añadieron créditos. Tu saldo es <b>{balance}</b>. Ya avisamos a los "
        "administradores; escribe a /paysupport para recuperar tu dinero."
    ),
    "payment_mismatch_underpaid": (
        "⚠️ Tu pago de {paid} es menor que el precio de {what} ({price}), así que no se "
        "añadieron créditos. Tu saldo es <b>{balance}</b>. Ya avisamos a los administradores; "
        "escribe a /paysupport para recuperar tu dinero."
    ),
    "payment_mismatch_overpaid": (
        "✅ Pago recibido: <b>+{credits}</b> créditos. Tu saldo es <b>{balance}</b>. Pagaste "
        "{paid}, más que el precio de {what} ({price}); ya avisamos a los administradores y "
        "/paysupport puede devolverte la diferencia."
    ),
    "mismatch_what_pack": "un paquete de {credits} créditos",
    "mismatch_what_plan": "el plan mensual",
    "admin_payment_mismatch": (
        "⚠️ <b>Pago que no coincide con el precio</b> ({reason}): el usuario {user} pagó "
        "{paid} por {product}, cuyo precio es {price}; se acreditaron {credits} de {due} "
        "créditos.\nPago {payment} ({provider} {charge}). Para devolver el dinero: "
        "/refund {payment}"
    ),
    "payment_unmatched": (
        "⚠️ Recibí tu pago de {paid}, pero no corresponde a nada de lo que vendo, así que no "
        "se añadieron créditos. Ya avisamos a los administradores; escribe a /paysupport "
        "para recuperar tu dinero."
    ),
    "admin_payment_unmatched": (
        "⚠️ <b>Pago sin producto</b>: el usuario {user} pagó {paid} con el payload {payload}, "
        "que no corresponde a nada de lo que vendemos; no se acreditó nada. Cargo de "
        "Telegram {charge}."
    ),
    "subscription_ended": (
        "📅 Tu plan mensual ha terminado. Envía /subscription para activarlo de nuevo."
    ),
    "subscription_none": (
        "📅 <b>Plan mensual</b>: {credits} créditos cada 30 días por {stars} ⭐, con "
        "renovación automática. Cancela cuando quieras.\n\n"
        "Todavía no tienes un plan."
    ),
    "subscription_active": (
        "📅 Tu <b>plan mensual</b> está activo: {credits} créditos cada periodo.\n"
        "Pagado hasta: <b>{until}</b>\n"
        "{renewal}"
    ),
    "subscription_renews": "Se renueva automáticamente.",
    "subscription_renewal_off": "La renovación está desactivada: el plan termina en esa fecha.",
    "subscription_unavailable": (
        "El plan mensual no está disponible ahora. Los paquetes de créditos están en /buy."
    ),
    "btn_subscribe_stars": "⭐ Suscribirse – {stars} ⭐ / 30 días",
    "btn_subscribe_card": "💳 Suscribirse con tarjeta – {price} / mes",
    "btn_cancel_subscription": "✖️ Cancelar la renovación",
    "btn_resume_subscription": "🔁 Reactivar la renovación",
    "subscription_cancelled": (
        "Renovación desactivada. Conservas tu plan y sus créditos hasta el {until}; no "
        "se te cobrará nada más."
    ),
    "subscription_resumed": "La renovación vuelve a estar activa. Tu plan se renueva el {until}.",
    "subscription_change_failed": (
        "No pude cambiar tu plan ahora. Inténtalo más tarde o escribe a /paysupport."
    ),
    "admin_usage_refund": "Uso: /refund &lt;id del pago o charge id de Telegram&gt;",
    "admin_usage_adjust": "Uso: /{command} &lt;id de telegram&gt; &lt;cantidad&gt; &lt;motivo…&gt;",
    "admin_payment_not_found": "No existe el pago {reference}.",
    "admin_refund_stripe": (
        "Es un pago con tarjeta: reembólsalo en el panel de Stripe; el webhook "
        "charge.refunded retira los créditos."
    ),
    "admin_refund_failed": "Telegram rechazó el reembolso: {error}. No se retiró nada.",
    "admin_refund_done": (
        "Pago {payment} ({amount} {currency}) del usuario {user} reembolsado: se "
        "retiraron {taken} de {credits} créditos (faltante {shortfall}). Nuevo saldo: "
        "{balance}."
    ),
    "admin_refund_already": (
        "El pago {payment} ({amount} {currency}) del usuario {user} ya estaba "
        "reembolsado: se retiraron {taken} de {credits} créditos (faltante "
        "{shortfall}). Saldo: {balance}."
    ),
    "admin_user_not_found": "No hay ningún usuario con id de Telegram {telegram_id}.",
    "admin_adjusted": "Hecho: {delta} créditos para el usuario {user}. Nuevo saldo: {balance}.",
    "admin_revoke_short": "Solo tiene {balance} créditos; no se retiró nada.",
    # Admin: menu, /stats, /audit (handlers/admin_menu.py)
    "admin_menu": (
        "🛠 <b>Herramientas de admin</b>. Las estadísticas y el registro se abren aquí; los demás "
        "botones muestran cómo escribir su comando."
    ),
    "btn_adm_stats": "📊 Estadísticas",
    "btn_adm_audit": "🧾 Registro de acciones",
    "btn_adm_user": "👤 Buscar un usuario",
    "btn_adm_grant": "➕ Dar créditos",
    "btn_adm_revoke": "➖ Quitar créditos",
    "btn_adm_refund": "↩️ Reembolso",
    "btn_adm_setcost": "💲 Precio de un modo",
    "btn_adm_setmodel": "🧠 Modelo de un modo",
    "btn_adm_mode": "🔌 Modo sí/no",
    "btn_adm_ban": "🚫 Bloquear",
    "btn_adm_unban": "✅ Desbloquear",
    "btn_adm_broadcast": "📣 Difusión",
    "btn_adm_broadcast_stop": "⏹ Detener difusión",
    "admin_usage_broadcast_stop": (
        "Uso: /broadcast_stop detiene la difusión en curso; lo enviado queda enviado."
    ),
    "admin_usage_audit": (
        "Uso: /audit [n]: las últimas n acciones de admins, n de 1 a {max} (por defecto {default})."
    ),
    "audit_title": "🧾 Las últimas {count} acciones de admins, las nuevas primero:",
    "audit_empty": "Aún no hay acciones de admins registradas.",
    "audit_entry": (
        "<b>{when}</b> · admin <code>{admin}</code> · <b>{action}</b>\n{arguments}\n{before} → "
        "{after}"
    ),
    "stats_title": "📊 <b>Estadísticas</b> a las {at} UTC",
    "stats_users": (
        "<b>Usuarios</b>: {total} · nuevos hoy {today} · 7 días {week} · 30 días {month} · activos "
        "en 7 días {active}"
    ),
    "stats_generations": "<b>Generaciones</b> por modo y estado (24 h / 7 días):",
    "stats_generations_none": "ninguna en los últimos 7 días",
    "stats_outcomes": (
        "Tasa de fallos {rate_day} / {rate_week} · tiempo mediano de entrega {median_day} / "
        "{median_week}"
    ),
    "stats_credits": (
        "<b>Créditos</b> (hoy / 7 días / 30 días):\nregalados {granted}\ncomprados "
        "{bought}\ngastados {spent}\ndevueltos por fallos {refunded}\nretirados {taken_back}\nEn "
        "los saldos: <b>{outstanding}</b>"
    ),
    "stats_revenue": "<b>Ingresos</b> (hoy / 7 días / 30 días, sin reembolsos):",
    "stats_revenue_none": "ningún pago en los últimos 30 días",
    "stats_provider_telegram_stars": "⭐ Stars",
    "stats_provider_stripe": "💳 Tarjeta",
    "stats_growth": (
        "<b>Altas por invitación</b>: {total} · hoy {today} · 7 días {week} · 30 días "
        "{month}\n<b>Suscripciones activas</b>: {subscriptions}"
    ),
    # Admin: users and bans (handlers/admin_users.py)
    "admin_usage_user": "Uso: /user &lt;telegram id | @usuario | código de invitación&gt;",
    "admin_usage_ban": (
        "Uso: /ban &lt;telegram id | @usuario | código de invitación&gt; &lt;motivo…&gt;"
    ),
    "admin_usage_unban": "Uso: /unban &lt;telegram id | @usuario | código de invitación&gt;",
    "admin_no_such_user": "Ningún usuario coincide con {who}.",
    "admin_user_card": (
        "👤 <b>{name}</b> · id <code>{telegram_id}</code> · {username}\n"
        "Saldo: <b>{credits}</b> créditos · idioma: {lang} · desde {joined}\n"
        "Estado: {status}\n"
        "Invitado por: {referrer} · invitó a {invited} (ganó {earned} créditos) · "
        "código <code>{code}</code>\n"
        "Plan: {plan}\n\n"
        "<b>Movimientos</b> (últimos {ledger_rows}):\n{ledger}\n\n"
        "<b>Pagos</b>:\n{payments}\n\n"
        "<b>Generaciones</b>:\n{generations}"
    ),
    "admin_card_banned": "🚫 bloqueado desde {since}: {reason}",
    "admin_card_not_banned": "✅ no bloqueado",
    "admin_card_plan": "{plan}, pagado hasta {end}",
    "admin_card_none": "ninguno",
    "btn_admin_ban": "🚫 Bloquear",
    "btn_admin_unban": "✅ Desbloquear",
    "btn_admin_confirm": "✅ Confirmar",
    "admin_confirm_adjust": (
        "¿{delta} créditos para {user} (saldo {credits})? Confirma para registrarlo con el "
        "motivo «{reason}», o envía <code>/{command} {telegram_id} {amount} </code> con tu "
        "propio motivo."
    ),
    "admin_confirm_ban": (
        "¿Bloquear a {user}? Las generaciones sin terminar se reembolsan. Confirma para "
        "bloquear con el motivo «{reason}», o envía <code>/ban {telegram_id} </code> con tu "
        "propio motivo."
    ),
    "admin_confirm_unban": "¿Desbloquear a {user}?",
    "admin_button_reason": "desde la ficha /user",
    "admin_cancelled": "Cancelado; no cambió nada.",
    "admin_ban_admin": "No se puede bloquear a un administrador.",
    "admin_banned": (
        "🚫 {user} está bloqueado. Se reembolsaron {jobs} generaciones sin terminar "
        "({credits} créditos)."
    ),
    "admin_banned_again": "{user} ya estaba bloqueado; el motivo se actualizó.",
    "admin_unbanned": "✅ {user} ya no está bloqueado.",
    "admin_was_not_banned": "{user} no estaba bloqueado; no cambió nada.",
    # Admin: the catalogue (handlers/admin_catalog.py)
    "admin_usage_setcost": "Uso: /setcost &lt;tipo&gt; &lt;créditos 0–{max}&gt;",
    "admin_usage_mode": "Uso: /mode &lt;tipo&gt; on|off",
    "admin_usage_setmodel": (
        "Uso: /setmodel &lt;tipo&gt; &lt;owner/model[:version]&gt; "
        "[plantilla de entrada como objeto JSON]"
    ),
    "admin_unknown_type": "No existe el modo {type}. Los modos: {types}",
    "admin_cost_range": "Un precio debe estar entre 0 y {max} créditos.",
    "admin_cost_set": (
        "{type} cuesta ahora <b>{after}</b> créditos (antes {before}). Un pedido mostrado "
        "al precio anterior vuelve a preguntar al nuevo antes de cobrar nada."
    ),
    "admin_mode_on": "✅ {type} está activado: se ofrece de nuevo.",
    "admin_mode_off": (
        "⛔ {type} está desactivado: ya no está en el menú y sus pedidos se rechazan "
        "sin cobrar."
    ),
    "admin_model_invalid": (
        "Eso no es un modelo de Replicate: usa owner/name u owner/name:&lt;versión de 64 hex&gt;."
    ),
    "admin_template_bad_json": "La plantilla no es JSON válido: {error}",
    "admin_template_not_object": "La plantilla debe ser un objeto JSON.",
    "admin_template_unknown": "El generador no rellena {names}.",
    "admin_template_no_prompt": "La plantilla debe usar {placeholder} (el prompt de la miniatura).",
    "admin_template_picture_in_text": (
        "Un marcador de imagen debe ser un valor completo (\"input_image\": "
        "\"{example}\"), no estar dentro de otro texto."
    ),
    "admin_template_pictures": (
        "Para {type} la plantilla debe usar {needed} y solo puede usar estas imágenes: "
        "{offered}."
    ),
    "admin_model_preview": (
        "<b>Nuevo modelo para {type}</b> (aún no aplicado)\n"
        "Modelo: {before} → <b>{model}</b>\n"
        "Plantilla de entrada:\n<pre>{template}</pre>"
    ),
    "btn_admin_apply": "✅ Aplicar",
    "admin_model_applied": "✅ {type} usa ahora {model}.",
    "admin_model_cancelled": "Cancelado; {type} mantiene su modelo.",
    "admin_proposal_decided": "Este cambio ya se aplicó o se canceló.",
    # Broadcasts (admin)
    "broadcast_ask_text": (
        "📣 Nueva difusión. Envía el mensaje: un texto o una foto con pie. "
        "Se conserva el formato."
    ),
    "broadcast_ask_button": (
        "¿Añadir un botón con enlace? Envíalo como <code>Texto | https://enlace</code>, "
        "u omítelo."
    ),
    "broadcast_pick_audience": "☝️ Así lo verán los usuarios. ¿Quién debe recibirlo?",
    "broadcast_confirm": (
        "¿Enviar la difusión #{id} a <b>{count}</b> usuarios ({audience})? Se omiten "
        "quienes bloquearon el bot o están vetados."
    ),
    "broadcast_progress": (
        "📣 Difusión #{id}: {done} de {total} hechos.\n"
        "Entregados {sent} · bloqueados {blocked} · fallidos {failed}"
    ),
    "broadcast_done_report": (
        "✅ Difusión #{id} terminada.\n"
        "Entregados <b>{sent}</b> · bloqueados {blocked} · fallidos {failed}"
    ),
    "broadcast_stopped_report": (
        "⏹ Difusión #{id} detenida.\n"
        "Entregados <b>{sent}</b> · bloqueados {blocked} · fallidos {failed} · "
        "sin enviar {pending}"
    ),
    "broadcast_unconfirmed": (
        "{count} envíos quedaron cortados por un reinicio y no se repitieron "
        "(puede que llegaran)."
    ),
    "broadcast_stopped": (
        "⏹ Difusión #{id} detenida: {sent} entregados, {pending} sin enviar. "
        "Reanudarla envía solo a esos."
    ),
    "broadcast_resumed": "▶️ Difusión #{id} reanudada.",
    "broadcast_none_running": "No hay ninguna difusión en curso.",
    "broadcast_cancelled": "Difusión descartada.",
    "broadcast_needs_text": (
        "Una difusión necesita texto: envía un mensaje de texto o la foto con pie."
    ),
    "broadcast_bad_button": (
        "Eso no es un botón con enlace. Envía <code>Texto | https://enlace</code> (texto "
        "de hasta 64 caracteres, un enlace http o https), u omítelo."
    ),
    "broadcast_gone": "Esta difusión ya no se puede cambiar. Empieza otra con /broadcast.",
    "audience_all": "todos",
    "audience_active": "activos en los últimos 30 días",
    "audience_paying": "usuarios que han pagado",
    "audience_language": "idioma {code}",
    "btn_broadcast_skip": "⏭ Omitir",
    "btn_broadcast_cancel": "✖️ Cancelar",
    "btn_broadcast_send": "✅ Enviar",
    "btn_broadcast_resume": "▶️ Reanudar",
    "btn_audience_all": "👥 Todos · {count}",
    "btn_audience_active": "🔥 Activos 30 días · {count}",
    "btn_audience_paying": "💳 Han pagado · {count}",
    "btn_audience_language": "🗣 {code} · {count}",
    # Faces
    "face_offer": "¡Buena foto! ¿La guardo como cara para usarla en tus miniaturas?",
    "btn_save_face": "✅ Guardar como cara",
    "btn_skip": "✖️ No, gracias",
    "face_saved": (
        "✅ ¡Guardada! Tienes {count} de {max} caras. Úsala en un modo con cara de /generate."
    ),
    "face_already": "Ya habías guardado esta foto; está en /faces ({count} de {max}).",
    "face_skipped": "Entendido, no la guardé.",
    "face_limit": "Ya tienes {max} caras guardadas. Primero borra una en /faces.",
    "faces_list": "🙂 Tus caras guardadas ({count} de {max}):",
    "faces_empty": (
        "Aún no tienes caras guardadas. Envíame una foto nítida y bien iluminada de tu cara."
    ),
    "face_caption": "Cara {n}",
    "btn_delete_face": "🗑 Borrar",
    "face_deleted": "Borrada.",
    "face_gone": "Esa cara ya estaba borrada.",
    "image_too_big": "Ese archivo es demasiado grande: el límite es de {limit_mb} MB.",
    "image_too_small": (
        "Esa foto es demasiado pequeña: necesito al menos {min_side}×{min_side} píxeles."
    ),
    "image_wrong_type": "No puedo usar esa foto. Envía una imagen JPEG, PNG o WebP.",
    "image_unreadable": "No pude leer esa imagen. Prueba con otra foto.",
    "face_not_found": (
        "No encuentro ninguna cara en esta foto. Envía una foto nítida de una sola cara, de"
        " frente (con buena luz y que no salga demasiado pequeña)."
    ),
    "face_largest_kept": "Encontré {found} caras y me quedé con la más grande.",
    "document_not_image": "Es un archivo {kind}. Mejor envía una foto (JPEG, PNG o WebP).",
    "sticker": "Los stickers están geniales, pero necesito una foto de verdad 🙂",
    # Generate
    "choose_mode": "🎨 ¿Qué tipo de miniatura quieres? Tienes <b>{credits}</b> créditos.",
    "mode_text_to_thumbnail": "✍️ A partir de una descripción",
    "mode_youtube_thumbnail": "📺 Para un video de YouTube",
    "mode_your_face": "🙂 Con tu cara",
    "mode_face_youtube": "🙂📺 Tu cara + un video de YouTube",
    "mode_top_youtube_style": "🏆 Al estilo de un video top",
    "mode_top_youtube_style_face": "🏆🙂 Estilo top + tu cara",
    "mode_chosen": "Modo: {mode}",
    "ask_prompt": (
        "Describe tu video en una frase: de qué trata y qué ambiente tiene. "
        "(Hasta {max} caracteres.)"
    ),
    "ask_video": "Envía el enlace de tu video de YouTube o simplemente escribe su título.",
    "ask_style": (
        "Envía el enlace de un video exitoso de YouTube cuyo estilo de miniatura te "
        "guste, o una captura de esa miniatura."
    ),
    "ask_face": "¿Qué cara uso?",
    "ask_face_or_new": "O usa una foto nueva:",
    "ask_face_none": "Envíame una foto nítida de tu cara. También la guardaré para la próxima vez.",
    "btn_use_face": "✅ Usar la cara {n}",
    "btn_new_face": "📷 Enviar una foto nueva",
    "prompt_too_short": "Se queda un poco corto. Describe tu video en unas pocas palabras.",
    "prompt_too_long": "Son {length} caracteres; intenta no pasar de {max_chars}.",
    "not_youtube_link": (
        "Eso no parece un enlace a un video de YouTube. Envía uno como https://youtu.be/…"
    ),
    "video_private": "Ese video es privado, así que no puedo verlo. Prueba con otro enlace.",
    "video_not_found": "Ese video no existe o se eliminó. Prueba con otro enlace.",
    "youtube_unreachable": (
        "Ahora mismo no puedo conectar con YouTube. Inténtalo de nuevo en un minuto."
    ),
    "video_found": "📺 Entendido: <b>{title}</b>",
    "ask_title": (
        "No pude leer ese video: YouTube no responde ahora mismo. Escribe el título del "
        "video y lo pondré en la miniatura (aún no se ha cobrado nada)."
    ),
    "style_not_link": (
        "Envía el enlace de un video de YouTube o una captura de la miniatura cuyo estilo "
        "te guste."
    ),
    "style_unreadable": (
        "No pude leer la miniatura de ese video, así que no puedo seguir su estilo. Envía "
        "una captura de la miniatura u otro enlace."
    ),
    "style_found": "🎨 Tengo la miniatura: seguiré su estilo.",
    "style_picture_saved": "🎨 Entendido: seguiré el estilo de esta imagen.",
    "summary_style_picture": "• Estilo de: tu imagen",
    "file_gone": "Ya no puedo obtener ese archivo. Envíalo de nuevo, por favor.",
    "result_caption": "🖼 {mode} · {date}\n<i>{asked}</i>",
    "price_changed": (
        "El precio cambió a {cost} créditos, así que no se cobró nada. "
        "Revísalo y pulsa de nuevo."
    ),
    "price_check": (
        "Ahora esto cuesta <b>{cost}</b> créditos (tienes <b>{credits}</b>). Pulsa para "
        "continuar."
    ),
    "order_resumed": "Tienes un pedido sin terminar ({mode}); lo guardamos. Sigamos:",
    "btn_new_order": "🆕 Mejor empezar un pedido nuevo",
    "btn_continue_order": "▶️ Continuar mi pedido",
    "reason_style_unreadable": "No pude leer la miniatura del video de referencia.",
    "flow_waiting_mode": "Elige un modo con los botones de arriba, o /cancel.",
    "flow_waiting_face": "Elige una cara con los botones de arriba o envía una foto nueva.",
    "flow_waiting_confirm": "Toca ✅ Generar arriba para empezar, o /cancel.",
    "confirm": (
        "¡Listo! Este es tu pedido:\n"
        "{summary}\n\n"
        "Precio: <b>{cost}</b> créditos · Tu saldo: <b>{credits}</b>"
    ),
    "summary_mode": "• Modo: {mode}",
    "summary_prompt": "• Descripción: {prompt}",
    "summary_video": "• Video: {video}",
    "summary_style": "• Estilo de: {style}",
    "summary_face": "• Cara: {n}",
    "summary_format": "• Formato: {shape} ({width}×{height})",
    "summary_variants": "• Variantes: {n}, cada una se cobra por separado",
    "summary_variants_compare": (
        "• Variantes: {n} bien distintas, para «Probar y comparar» de YouTube"
    ),
    "btn_format_wide": "🖥 16:9 vídeo",
    "btn_format_tall": "📱 9:16 Shorts",
    "btn_format_square": "⬛ 1:1 post",
    "btn_variants": "{n}×",
    "btn_variants_compare": "{n}× Probar y comparar",
    "variants_short": "{n} variantes cuestan {cost} créditos y tienes {credits}.",
    "btn_confirm": "✅ Generar ({cost} créditos)",
    "btn_cancel": "✖️ Cancelar",
    "cancel_done": "Cancelado. No se te cobró nada. Envía /generate para empezar de nuevo.",
    "cancel_nothing": "No hay nada que cancelar. Envía /generate para crear una miniatura.",
    "insufficient": (
        "No tienes suficientes créditos: esto cuesta <b>{cost}</b> y tienes "
        "<b>{credits}</b>. Guardamos tu pedido: consigue créditos y pulsa «▶️ Continuar "
        "mi pedido» (o envía /generate)."
    ),
    "charged": "Se usaron {cost} créditos; te quedan {credits}.",
    "already_running": "¡Ya estoy en ello! ⏳",
    "status_queued": "⏳ Tu miniatura está en la cola…",
    "status_running": "🎨 Creando tu miniatura… {percent}%",
    "status_done": "✅ ¡Listo!",
    "status_ready": (
        "✅ Tu miniatura está lista. Si no la ves justo arriba, toca el botón para verla."
    ),
    "btn_show_thumbnail": "🖼 Ver mi miniatura",
    "status_failed": "😔 No funcionó.",
    "delivery_failed": (
        "✅ Tu miniatura está lista, pero no pude enviarla ahora. La tienes en /history."
    ),
    "delivered": "¡Aquí tienes tu miniatura! {mode}\n<i>{asked}</i>",
    "btn_regenerate": "🔁 Regenerar · {cost} créditos",
    "btn_edit": "✏️ Editar",
    "btn_favourite": "⭐ Favorito",
    "btn_unfavourite": "🌟 Favorito ✓",
    "btn_full_quality": "📎 Archivo en calidad completa",
    "btn_start_over": "🆕 Empezar de nuevo",
    "full_quality_caption": "Calidad completa, JPEG de {width}×{height}, lista para YouTube.",
    "generation_failed": (
        "Lo siento, no pude crear esta miniatura. {reason}\n\n"
        "Te devolvimos tus <b>{refunded}</b> créditos; tu saldo es <b>{credits}</b>."
    ),
    "reason_generation_failed": "Algo salió mal por nuestra parte.",
    "reason_face_unreadable": "No pude usar esa foto de cara.",
    "reason_face_missing": "La foto de cara se borró antes de que pudiera usarla.",
    "reason_video_private": "El video es privado.",
    "reason_video_not_found": "El video no existe o se eliminó.",
    "reason_not_youtube_link": "Ese enlace no es de un video de YouTube.",
    "reason_youtube_unreachable": "No pude conectar con YouTube.",
    "reason_generation_interrupted": "El trabajo se interrumpió varias veces por nuestra parte.",
    "reason_content_refused": (
        "El modelo rechazó la petición por sus normas de contenido. "
        "Prueba a describirlo de otra forma."
    ),
    "reason_provider_failed": "El modelo de imágenes tuvo un problema.",
    "reason_provider_timeout": "El modelo de imágenes tardó demasiado.",
    # --- generators (H1) ---
    "logo_unreadable": "No pude leer ese logo. Envía una imagen PNG o JPEG, por favor.",
    # --- variants (H3) ---
    "status_variants_queued": "⏳ Tus {n} variantes están en la cola…",
    "status_variants_running": "🎨 Creando tus {n} variantes… {percent}%\n✅ {ready} de {n} listas",
    "status_variants_ready": (
        "✅ Tus variantes están listas. Si no las ves justo arriba, toca un número para ver "
        "cada una."
    ),
    "btn_show_variant": "🖼 {n}",
    "variants_delivered": "¡Aquí tienes tus {n} variantes! {mode}\n<i>{asked}</i>",
    "variant_caption": "Variante {n}",
    "variants_buttons": (
        "👆 {n} variantes arriba. Para cada número: 📎 archivo en calidad completa · "
        "✏️ editar · 🔁 otra parecida ({cost} créditos)."
    ),
    "btn_variant_file": "📎 {n}",
    "btn_variant_edit": "✏️ {n}",
    "btn_variant_again": "🔁 {n}",
    "variant_failed": (
        "❌ La variante {n} no se pudo hacer. {reason} Sus <b>{refunded}</b> créditos "
        "están de vuelta."
    ),
    "variants_balance": "Tu saldo: <b>{credits}</b>.",
    # --- brand kit (H4) ---
    "cmd_style": "El estilo de tu canal: colores, fuente, logo",
    "style_sample": "TU TÍTULO AQUÍ",
    "style_title": "🎨 <b>El estilo de tu canal</b>",
    "style_empty": (
        "🎨 <b>El estilo de tu canal</b> está vacío por ahora.\n\n"
        "Guarda una vez tus colores, la fuente y la posición del título, un logo y una cara "
        "por defecto, o impórtalos de una miniatura que te guste: cada pedido podrá usarlos "
        "con un toque."
    ),
    "style_unset": "sin definir",
    "style_colors": "• Colores: {colors}",
    "style_font": "• Fuente: {font}",
    "style_position": "• Título: {where}",
    "style_logo": "• Logo: {corner}",
    "style_no_logo": "• Logo: ninguno",
    "style_face": "• Cara por defecto: {n}",
    "style_no_face": "• Cara por defecto: ninguna",
    "style_how_used": (
        "Los pedidos nuevos lo usan: «🎨 Mi estilo» en la pantalla de confirmación lo activa "
        "o desactiva. Los modos con cara usan la cara por defecto salvo que elijas otra."
    ),
    "where_left": "a la izquierda",
    "where_right": "a la derecha",
    "where_top": "arriba",
    "where_bottom": "abajo",
    "where_center": "en el centro",
    "corner_top_left": "esquina superior izquierda",
    "corner_top_right": "esquina superior derecha",
    "corner_bottom_left": "esquina inferior izquierda",
    "corner_bottom_right": "esquina inferior derecha",
    "btn_style_colors": "🎨 Colores",
    "btn_style_font": "🔤 Fuente",
    "btn_style_position": "📍 Posición del título",
    "btn_style_logo": "🏷 Logo",
    "btn_style_face": "🙂 Cara por defecto",
    "btn_style_import": "📥 Importar de una miniatura",
    "btn_style_reset": "🗑 Restablecer",
    "btn_style_preset_fire": "🔥 Fuego",
    "btn_style_preset_ocean": "🌊 Océano",
    "btn_style_preset_money": "💰 Dinero",
    "btn_style_preset_neon": "🌈 Neón",
    "btn_style_preset_mono": "⚫ Contraste",
    "style_ask_colors": (
        "Elige una paleta o envía hasta 3 colores, el principal primero: códigos hex o "
        "nombres, p. ej. <code>#ff3b1f, amarillo, negro</code>."
    ),
    "style_colors_unreadable": (
        "«{bad}» no es un color que conozca. Envía códigos hex como <code>#ff3b1f</code> o "
        "nombres como <code>rojo</code>, separados por comas. No se cambió nada."
    ),
    "style_colors_too_many": (
        "Son más de {max} colores: envía {max} como máximo. No se cambió nada."
    ),
    "style_saved": "✅ Guardado.",
    "style_ask_font": "¿Qué fuente deben usar tus títulos?",
    "btn_style_font_auto": "Cualquiera (la habitual)",
    "style_ask_position": "¿Dónde va tu título?",
    "btn_style_pos_left": "⬅️ Izquierda",
    "btn_style_pos_right": "➡️ Derecha",
    "btn_style_pos_top": "⬆️ Arriba",
    "btn_style_pos_bottom": "⬇️ Abajo",
    "btn_style_pos_center": "⏺ Centro",
    "btn_style_pos_auto": "Cualquiera (varía)",
    "style_ask_logo": (
        "Envía tu logo o marca de agua como imagen. Lo mejor es un PNG con fondo "
        "transparente: envíalo como archivo para conservar la transparencia."
    ),
    "btn_style_top_left": "↖️ Arriba izquierda",
    "btn_style_top_right": "↗️ Arriba derecha",
    "btn_style_bottom_left": "↙️ Abajo izquierda",
    "btn_style_bottom_right": "↘️ Abajo derecha",
    "btn_style_logo_remove": "🗑 Quitar el logo",
    "style_logo_saved": "✅ Logo guardado.",
    "style_logo_blank": "Esa imagen es totalmente transparente: no se ve ningún logo en ella.",
    "style_ask_corner": "¿En qué esquina va el logo?",
    "style_logo_removed": "✅ Logo quitado.",
    "style_ask_face": "¿Qué cara guardada usan por defecto los modos con cara?",
    "btn_style_face_n": "🙂 Cara {n}",
    "btn_style_face_none": "Sin cara por defecto",
    "style_no_faces": (
        "Aún no tienes caras guardadas. Envíame una foto de tu cara para guardarla y "
        "vuelve a /style."
    ),
    "style_ask_import": (
        "Envía una miniatura cuyo estilo te guste (sirve una captura). Leeré sus colores y "
        "su composición y los guardaré como tu estilo."
    ),
    "style_read": "📥 Esto leí en la miniatura:",
    "style_read_colors": "• Colores: {colors}",
    "style_read_face": "• Cara: {where}",
    "style_read_no_face": "• Cara: no encontrada",
    "style_read_text": "• Texto: {where}",
    "style_read_no_text": "• Texto: no encontrado",
    "style_read_saved": "✅ Guardado como tu estilo: estos colores, y tu título va {where}.",
    "style_read_saved_colors": (
        "✅ Guardado como tu estilo: estos colores. No supe dónde está su título, así que "
        "la posición de tu título sigue igual."
    ),
    "style_ask_reset": "¿Borrar tu estilo guardado (colores, fuente, posición, logo, cara)?",
    "btn_style_reset_yes": "🗑 Sí, restablecer",
    "style_reset_done": "Tu estilo se restableció. /style para crear uno nuevo.",
    "style_reset_nothing": "No había ningún estilo guardado.",
    "style_cancelled": "Vale, tu estilo sigue igual.",
    "btn_my_style_on": "🎨 Mi estilo: sí",
    "btn_my_style_off": "🎨 Mi estilo: no",
    "btn_another_face": "🙂 Otra cara",
    "summary_my_style": "• Estilo: el tuyo (/style)",
    "summary_default_face": (
        "🙂 Es tu cara por defecto de /style. Para usar otra, toca «🙂 Otra cara»."
    ),
    # --- preview and favourites (H5) ---
    "preview_caption": "👀 Así se ve en YouTube, en modo claro y oscuro.",
    "preview_unreadable": (
        "⚠️ A {width}×{height}, el tamaño más pequeño en que YouTube la muestra, el título "
        "es demasiado pequeño para leerse. Menos palabras y más grandes ayudan: prueba "
        "✏️ Editar."
    ),
    "preview_views": "12 K visualizaciones",
    "preview_age": "hace 2 horas",
    "history_header_favourites": "⭐ Tus favoritos ({first}–{last} de {total}):",
    "history_no_favourites": (
        "Aún no tienes favoritos. Toca ⭐ Favorito bajo una miniatura que te guste y "
        "aparecerá aquí."
    ),
    "history_edit_of": "✏️ edición de #{n}",
    "btn_history_favourites": "⭐ Solo favoritos",
    "btn_history_all": "🗂 Todas",
    "favourite_added": "⭐ Añadida a tus favoritos",
    "favourite_removed": "Quitada de tus favoritos",
    # --- edits (H2) ---
    "mode_edit_thumbnail": "✏️ Edición",
    "edit_examples": (
        "• <i>cambia el título a «DEJÉ MI TRABAJO»</i>\n"
        "• <i>texto rojo</i>\n"
        "• <i>fondo azul</i>\n"
        "• <i>cara más grande</i>\n"
        "• <i>invierte los lados</i>\n"
        "• <i>más contraste</i>"
    ),
    "edit_ask": (
        "✏️ ¿Qué cambio en esta miniatura? Dímelo en un mensaje, por ejemplo:\n"
        "{examples}\n\n"
        "También puedes responder a cualquiera de mis miniaturas con lo que quieres cambiar."
    ),
    "edit_nothing": (
        "🤔 No puedo aplicar «{instruction}» a esta miniatura, así que no te ofrezco ni te "
        "cobro nada.\n\nEsto es lo que puedo hacer, por ejemplo:\n{examples}\n\nO /cancel."
    ),
    "edit_empty": "✏️ Dime con palabras qué cambiar, por ejemplo:\n{examples}",
    "edit_too_long": (
        "✏️ Son {length} caracteres; una instrucción de edición puede tener hasta {max}. "
        "Dilo más corto, por ejemplo:\n{examples}"
    ),
    "edit_gone": "Ya no encuentro esa miniatura. Elige otra en /history.",
    "edit_confirm": (
        "✏️ <b>Edición</b>. Cambiaré:\n{changes}{skipped}\n\n"
        "Coste: <b>{cost}</b> créditos · Tu saldo: <b>{credits}</b>"
    ),
    "edit_skipped": "⚠️ Esto no se puede hacer aquí, así que no se aplicará: {phrases}",
    "edit_phrase": "«{phrase}»",
    "edit_change_model": "«{phrase}» (lo hace el modelo de imágenes)",
    "edit_change_headline": "título → «{detail}»",
    "edit_change_text_color": "color de acento (palabra clave y formas) → {detail}",
    "edit_change_background": "color de fondo → {detail}",
    "edit_change_position_left": "título a la izquierda",
    "edit_change_position_right": "título a la derecha",
    "edit_change_position_top": "título arriba",
    "edit_change_position_bottom": "título abajo",
    "edit_change_position_center": "título en el centro",
    "edit_change_face_bigger": "cara más grande",
    "edit_change_face_smaller": "cara más pequeña",
    "edit_change_flip": "título e imagen cambian de lado",
    "edit_change_contrast_more": "más contraste",
    "edit_change_contrast_less": "menos contraste",
    "edit_change_brighter": "más claro",
    "edit_change_darker": "más oscuro",
    "edit_change_vivid": "colores más vivos",
    "edit_change_muted": "colores más suaves",
    "btn_edit_confirm": "✅ Editar ({cost} créditos)",
    "edit_cancelled": "Vale, sin edición. No se te cobró nada.",
    "edit_caption_changed": "✏️ Cambiado: {changes}",
    "edit_caption_skipped": "⚠️ No aplicado (aquí no es posible): {phrases}",
}
