# ruff: noqa: RUF001
"""English texts (the reference catalog: every other language has the same keys and
placeholders). HTML formatting; parameters are escaped by handlers/i18n.py."""

TEXTS: dict[str, str] = {
    # Command menu
    "cmd_start": "Start, or show the main menu",
    "cmd_generate": "Make a new thumbnail",
    "cmd_faces": "Your saved face photos",
    "cmd_balance": "Your credits and prices",
    "cmd_profile": "Your profile",
    "cmd_history": "Thumbnails you made",
    "cmd_referral": "Invite friends, earn credits",
    "cmd_buy": "Get more credits",
    "cmd_subscription": "Your monthly plan",
    "cmd_cancel": "Leave what you're doing",
    "cmd_help": "What I can do",
    "cmd_terms": "Terms of service",
    "cmd_paysupport": "Help with payments and refunds",
    # Admin command menu (published to admins only)
    "cmd_admin": "Admin: all tools as buttons",
    "cmd_stats": "Admin: users, generations, credits, revenue",
    "cmd_audit": "Admin: the last admin actions",
    "cmd_user": "Admin: look up a user",
    "cmd_grant": "Admin: give a user credits",
    "cmd_revoke": "Admin: take credits from a user",
    "cmd_refund": "Admin: refund a Stars payment",
    "cmd_setcost": "Admin: change a mode's price",
    "cmd_setmodel": "Admin: change a mode's model",
    "cmd_mode": "Admin: switch a mode on or off",
    "cmd_ban": "Admin: ban a user",
    "cmd_unban": "Admin: lift a ban",
    "cmd_broadcast": "Admin: message all users",
    "cmd_broadcast_stop": "Admin: stop the running broadcast",
    # Start and menu
    "welcome_new": (
        "👋 Welcome, {name}! I make eye-catching YouTube thumbnails with AI.\n\n"
        "You have <b>{credits}</b> free credits to start; a thumbnail costs "
        "{min_cost}–{max_cost}.\n\nWhat would you like to do?"
    ),
    "welcome_back": "👋 Welcome back, {name}! You have <b>{credits}</b> credits.",
    "btn_generate": "🎨 New thumbnail",
    "btn_faces": "🙂 My faces",
    "btn_balance": "💰 Balance",
    "btn_referral": "🎁 Invite friends",
    "btn_help": "❓ Help",
    "btn_buy": "💳 Get credits",
    "btn_open_private": "Open a private chat",
    "referral_applied_new": (
        "🎁 You joined through a friend's invite: they just earned credits for it."
    ),
    "referral_not_new": (
        "This invite link is for new users. You're already here, so nothing changes 🙂"
    ),
    "referral_unknown": (
        "That invite link isn't valid (maybe it was cut off), but you're all set anyway."
    ),
    "referral_self": "That's your own invite link. Share it with friends instead!",
    "referral_rewarded": (
        "🎉 {name} joined through your invite link! Your balance is now <b>{credits}</b> "
        "credits. Friends who joined so far: <b>{joined}</b>."
    ),
    "help": (
        "<b>What I do</b>\n"
        "I design 1280×720 YouTube thumbnails from a description, a YouTube link, "
        "your face, or the style of a successful video.\n\n"
        "/generate – make a thumbnail\n"
        "/faces – your saved face photos (send me a photo to add one)\n"
        "/style – your channel style: colours, font, logo, default face\n"
        "/balance – credits and prices\n"
        "/history – thumbnails you made\n"
        "/referral – invite friends, earn credits\n"
        "/buy – get more credits\n"
        "/subscription – your monthly plan\n"
        "/profile – your profile\n"
        "/cancel – leave what you're doing\n"
        "/terms – terms of service\n"
        "/paysupport – help with payments and refunds"
    ),
    "help_group": (
        "I make YouTube thumbnails with AI. Talk to me in private: @{bot}\n"
        "In groups I can share your invite link: /referral"
    ),
    "terms": (
        "<b>Terms of service</b>\n\n"
        "1. Credits are used to make thumbnails; a thumbnail's price is shown before you "
        "confirm. Credits have no cash value and can't be transferred.\n"
        "2. If a thumbnail fails, its credits are returned automatically.\n"
        "3. Only upload photos you have the right to use. Don't upload photos of other "
        "people without their consent.\n"
        "4. You may use the thumbnails you make, including commercially.\n"
        "5. We store your face photos until you delete them (/faces) and the thumbnails "
        "you make, to show them in /history.\n"
        "6. For payment questions and refunds, see /paysupport."
    ),
    "paysupport": (
        "<b>Payments and refunds</b>\n\n"
        "• Credits from a pack or the monthly plan arrive right after the payment; "
        "/balance shows them.\n"
        "• /subscription shows your plan; you can switch renewal off there at any time "
        "and keep what you paid for.\n"
        "• If a thumbnail fails, its credits come back automatically.\n"
        "• If a payment didn't arrive or you want a refund, write to us here with the "
        "date and amount; an admin answers within 48 hours. Stars go back to your "
        "Telegram balance, card payments to your card. A refund takes back the credits "
        "that payment gave, as far as they are unspent."
    ),
    "unknown_command": "I don't know the command {command}. Here's what I can do: /help",
    "stray_message": (
        "I'm a thumbnail maker 🙂 Tap below or send /generate to create one, or /help to "
        "see everything I can do."
    ),
    "youtube_link_hint": (
        "That's a YouTube link! Tap below and pick a mode, then send it again when I ask."
    ),
    "group_pointer": "Let's do that in private, so your balance and photos stay yours 👇",
    "error_generic": "Sorry, something went wrong on our side. Please try again in a moment.",
    "stale_button": "This button has expired. Send /generate to start again.",
    "banned": "🚫 Your account is blocked. Write to /paysupport if this is a mistake.",
    "mode_disabled": (
        "This kind of thumbnail is switched off for now; nothing was charged. "
        "Send /generate to pick another."
    ),
    "reason_account_banned": "This account was blocked.",
    # Account
    "balance": (
        "💰 You have <b>{credits}</b> credits.\n\n<b>Prices</b>\n{prices}\n\n"
        "Get more by inviting friends (/referral) or with /buy."
    ),
    "price_line": "• {cost} credits – ",
    "profile": (
        "👤 <b>{name}</b>\n"
        "Credits: <b>{credits}</b>\n"
        "Your invite code: <code>{code}</code>\n"
        "Invited by: {referrer}\n"
        "Plan: {plan}\n"
        "Thumbnails made: {made}"
    ),
    "nobody": "nobody",
    "plan_none": "pay as you go",
    "plan_active": "monthly, paid until {until}",
    "referral": (
        "🎁 Invite friends: you get <b>{bonus}</b> credits for each friend who starts the "
        "bot through your link.\n\n{link}\n\n"
        "Joined through your link: <b>{joined}</b>\nCredits earned: <b>{earned}</b>"
    ),
    "history_empty": "You haven't made any thumbnails yet.",
    "history_header": "🗂 Your thumbnails ({first}–{last} of {total}):",
    "history_line": "{n}. {icon} {mode} · {date} · {prompt}",
    "buy_options": (
        "💳 You have <b>{credits}</b> credits.\n\n"
        "{offers}\n\n"
        "Or earn <b>{bonus}</b> credits for every friend who joins through your link:\n"
        "{link}\n\n"
        "Questions about payments: /paysupport"
    ),
    # Payments and the monthly plan
    "buy_packs_header": "<b>Credit packs</b> (paid with Telegram Stars):",
    "pack_line": "• {credits} credits – {stars} ⭐",
    "pack_line_bonus": "• {credits} + {bonus} bonus credits – {stars} ⭐",
    "buy_plan_line": (
        "• <b>Monthly plan</b>: {credits} credits every 30 days – {stars} ⭐ (/subscription)"
    ),
    "btn_pack_stars": "⭐ {credits} credits – {stars} ⭐",
    "btn_pack_card": "💳 {credits} credits – {price} by card",
    "btn_plan": "📅 Monthly plan",
    "offer_gone": "This offer is no longer available. Send /buy to see the current ones.",
    "invoice_pack_title": "{credits} credits",
    "invoice_pack_description": (
        "{credits} credits for AI thumbnails ({base} + {bonus} bonus). Credits don't expire."
    ),
    "invoice_price_label": "Credits",
    "invoice_plan_title": "Monthly plan",
    "invoice_plan_description": (
        "{credits} credits every 30 days for AI thumbnails. Renews automatically; "
        "cancel any time in /subscription."
    ),
    "checkout_pack": "{credits} credits",
    "checkout_plan": "the monthly plan ({credits} credits a month)",
    "checkout_link": (
        "💳 Pay by card for {what} on Stripe's secure page. Your credits arrive in this "
        "chat as soon as the payment goes through."
    ),
    "btn_open_checkout": "💳 Open the payment page",
    "checkout_unavailable": (
        "Card payments aren't available right now. Please pay with Stars or try again later."
    ),
    "precheckout_unknown_product": (
        "This offer is no longer available. Send /buy to see the current ones."
    ),
    "precheckout_price_changed": (
        "The price changed after this invoice was made. Send /buy for a new invoice."
    ),
    "precheckout_banned": (
        "This account can't make purchases. Write to /paysupport if this is a mistake."
    ),
    "precheckout_wrong_account": (
        "This invoice was made for another account. Send /buy to get your own."
    ),
    "precheckout_already_subscribed": "You already have this plan. See /subscription.",
    "precheckout_error": (
        "Sorry, we could not check this payment just now. Nothing was charged; "
        "please try again in a moment."
    ),
    "pack_credited": (
        "✅ Payment received: <b>+{credits}</b> credits. Your balance is <b>{balance}</b>."
    ),
    "subscription_started": (
        "✅ You're subscribed! <b>+{credits}</b> credits now and every period. Paid "
        "until {until}. Your balance is <b>{balance}</b>."
    ),
    "subscription_renewed": (
        "🔁 Your monthly plan renewed: <b>+{credits}</b> credits. Paid until {until}. "
        "Your balance is <b>{balance}</b>."
    ),
    "refunded": (
        "↩️ Your payment was refunded, so its <b>{credits}</b> credits were taken "
        "back. Your balance is <b>{balance}</b>."
    ),
    "refunded_shortfall": (
        "↩️ Your payment was refunded. We took back the <b>{credits}</b> credits you "
        "had left; the other {shortfall} were already spent. Your balance is "
        "<b>{balance}</b>."
    ),
    "payment_mismatch_currency": (
        "⚠️ Your payment of {paid} was not in the currency {what} is sold in ({price}), so "
        "no credits were added. Your balance is <b>{balance}</b>. The admins have been told; "
        "write to /paysupport to get your money back."
    ),
    "payment_mismatch_underpaid": (
        "⚠️ Your payment of {paid} is less than the price of {what} ({price}), so no credits "
        "were added. Your balance is <b>{balance}</b>. The admins have been told; write to "
        "/paysupport to get your money back."
    ),
    "payment_mismatch_overpaid": (
        "✅ Payment received: <b>+{credits}</b> credits. Your balance is <b>{balance}</b>. "
        "You paid {paid}, more than the price of {what} ({price}); the admins have been "
        "told, and /paysupport can refund the difference."
    ),
    "mismatch_what_pack": "a pack of {credits} credits",
    "mismatch_what_plan": "the monthly plan",
    "admin_payment_mismatch": (
        "⚠️ <b>Payment mismatch</b> ({reason}): user {user} paid {paid} for {product}, "
        "priced {price}; credited {credits} of {due} credits.\n"
        "Payment {payment} ({provider} {charge}). To give the money back: /refund {payment}"
    ),
    "payment_unmatched": (
        "⚠️ I received your payment of {paid}, but it doesn't match anything I sell, so no "
        "credits were added. The admins have been told; write to /paysupport to get your "
        "money back."
    ),
    "admin_payment_unmatched": (
        "⚠️ <b>Unmatched payment</b>: user {user} paid {paid} with the payload {payload}, "
        "which names nothing we sell; nothing was credited. Telegram charge {charge}."
    ),
    "subscription_ended": "📅 Your monthly plan has ended. Send /subscription to start it again.",
    "subscription_none": (
        "📅 <b>Monthly plan</b>: {credits} credits every 30 days for {stars} ⭐, renewed "
        "automatically. Cancel any time.\n\n"
        "You don't have a plan yet."
    ),
    "subscription_active": (
        "📅 Your <b>monthly plan</b> is active: {credits} credits every period.\n"
        "Paid until: <b>{until}</b>\n"
        "{renewal}"
    ),
    "subscription_renews": "It renews automatically.",
    "subscription_renewal_off": "Renewal is off: the plan ends on that date.",
    "subscription_unavailable": (
        "The monthly plan isn't available right now. Credit packs are in /buy."
    ),
    "btn_subscribe_stars": "⭐ Subscribe – {stars} ⭐ / 30 days",
    "btn_subscribe_card": "💳 Subscribe by card – {price} / month",
    "btn_cancel_subscription": "✖️ Cancel renewal",
    "btn_resume_subscription": "🔁 Turn renewal back on",
    "subscription_cancelled": (
        "Renewal is off. You keep your plan and its credits until {until}; nothing "
        "more will be charged."
    ),
    "subscription_resumed": "Renewal is back on. Your plan renews on {until}.",
    "subscription_change_failed": (
        "I couldn't change your plan just now. Please try again later or write to /paysupport."
    ),
    "admin_usage_refund": "Usage: /refund &lt;payment id or Telegram charge id&gt;",
    "admin_usage_adjust": "Usage: /{command} &lt;telegram id&gt; &lt;amount&gt; &lt;reason…&gt;",
    "admin_payment_not_found": "No payment {reference}.",
    "admin_refund_stripe": (
        "That's a card payment: refund it in the Stripe dashboard; its charge.refunded "
        "webhook takes the credits back."
    ),
    "admin_refund_failed": "Telegram refused the refund: {error}. Nothing was taken back.",
    "admin_refund_done": (
        "Refunded payment {payment} ({amount} {currency}) of user {user}: took back "
        "{taken} of {credits} credits (shortfall {shortfall}). New balance: {balance}."
    ),
    "admin_refund_already": (
        "Payment {payment} ({amount} {currency}) of user {user} was already refunded: "
        "{taken} of {credits} credits were taken back (shortfall {shortfall}). "
        "Balance: {balance}."
    ),
    "admin_user_not_found": "No user with Telegram id {telegram_id}.",
    "admin_adjusted": "Done: {delta} credits for user {user}. New balance: {balance}.",
    "admin_revoke_short": "They have only {balance} credits; nothing was taken.",
    # Admin: menu, /stats, /audit (handlers/admin_menu.py)
    "admin_menu": (
        "🛠 <b>Admin tools</b>. Stats and the audit log open here; the other buttons show how to "
        "type their command."
    ),
    "btn_adm_stats": "📊 Stats",
    "btn_adm_audit": "🧾 Audit log",
    "btn_adm_user": "👤 Look up a user",
    "btn_adm_grant": "➕ Grant credits",
    "btn_adm_revoke": "➖ Revoke credits",
    "btn_adm_refund": "↩️ Refund",
    "btn_adm_setcost": "💲 Price of a mode",
    "btn_adm_setmodel": "🧠 Model of a mode",
    "btn_adm_mode": "🔌 Mode on/off",
    "btn_adm_ban": "🚫 Ban",
    "btn_adm_unban": "✅ Unban",
    "btn_adm_broadcast": "📣 Broadcast",
    "btn_adm_broadcast_stop": "⏹ Stop broadcast",
    "admin_usage_broadcast_stop": (
        "Usage: /broadcast_stop stops the running broadcast; what was sent stays sent."
    ),
    "admin_usage_audit": (
        "Usage: /audit [n]: the last n admin actions, n from 1 to {max} (default {default})."
    ),
    "audit_title": "🧾 The last {count} admin actions, newest first:",
    "audit_empty": "No admin actions are recorded yet.",
    "audit_entry": (
        "<b>{when}</b> · admin <code>{admin}</code> · <b>{action}</b>\n{arguments}\n{before} → "
        "{after}"
    ),
    "stats_title": "📊 <b>Stats</b> at {at} UTC",
    "stats_users": (
        "<b>Users</b>: {total} · new today {today} · 7 days {week} · 30 days {month} · active in 7 "
        "days {active}"
    ),
    "stats_generations": "<b>Generations</b> by mode and status (24 h / 7 days):",
    "stats_generations_none": "none in the last 7 days",
    "stats_outcomes": (
        "Failure rate {rate_day} / {rate_week} · median time to deliver {median_day} / "
        "{median_week}"
    ),
    "stats_credits": (
        "<b>Credits</b> (today / 7 days / 30 days):\ngranted free {granted}\nbought "
        "{bought}\nspent {spent}\nrefunded for failures {refunded}\ntaken back "
        "{taken_back}\nOutstanding on balances: <b>{outstanding}</b>"
    ),
    "stats_revenue": "<b>Revenue</b> (today / 7 days / 30 days, refunds left out):",
    "stats_revenue_none": "no payments in the last 30 days",
    "stats_provider_telegram_stars": "⭐ Stars",
    "stats_provider_stripe": "💳 Card",
    "stats_growth": (
        "<b>Referral sign-ups</b>: {total} · today {today} · 7 days {week} · 30 days "
        "{month}\n<b>Active subscriptions</b>: {subscriptions}"
    ),
    # Admin: users and bans (handlers/admin_users.py)
    "admin_usage_user": "Usage: /user &lt;telegram id | @username | referral code&gt;",
    "admin_usage_ban": (
        "Usage: /ban &lt;telegram id | @username | referral code&gt; &lt;reason…&gt;"
    ),
    "admin_usage_unban": "Usage: /unban &lt;telegram id | @username | referral code&gt;",
    "admin_no_such_user": "No user matches {who}.",
    "admin_user_card": (
        "👤 <b>{name}</b> · id <code>{telegram_id}</code> · {username}\n"
        "Balance: <b>{credits}</b> credits · language: {lang} · joined {joined}\n"
        "Status: {status}\n"
        "Referred by: {referrer} · invited {invited} (earned {earned} credits) · "
        "code <code>{code}</code>\n"
        "Plan: {plan}\n\n"
        "<b>Ledger</b> (latest {ledger_rows}):\n{ledger}\n\n"
        "<b>Payments</b>:\n{payments}\n\n"
        "<b>Generations</b>:\n{generations}"
    ),
    "admin_card_banned": "🚫 banned since {since}: {reason}",
    "admin_card_not_banned": "✅ not banned",
    "admin_card_plan": "{plan}, paid until {end}",
    "admin_card_none": "none",
    "btn_admin_ban": "🚫 Ban",
    "btn_admin_unban": "✅ Unban",
    "btn_admin_confirm": "✅ Confirm",
    "admin_confirm_adjust": (
        "{delta} credits for {user} (balance {credits})? Confirm to record it with the "
        "reason “{reason}”, or send <code>/{command} {telegram_id} {amount} </code> and "
        "your own reason."
    ),
    "admin_confirm_ban": (
        "Ban {user}? Unfinished generations are refunded. Confirm to ban with the reason "
        "“{reason}”, or send <code>/ban {telegram_id} </code> and your own reason."
    ),
    "admin_confirm_unban": "Lift the ban of {user}?",
    "admin_button_reason": "from the /user card",
    "admin_cancelled": "Cancelled; nothing changed.",
    "admin_ban_admin": "An admin can't be banned.",
    "admin_banned": (
        "🚫 {user} is banned. Refunded {jobs} unfinished generations ({credits} credits)."
    ),
    "admin_banned_again": "{user} was already banned; the reason is updated.",
    "admin_unbanned": "✅ {user} is no longer banned.",
    "admin_was_not_banned": "{user} wasn't banned; nothing changed.",
    # Admin: the catalogue (handlers/admin_catalog.py)
    "admin_usage_setcost": "Usage: /setcost &lt;type&gt; &lt;credits 0–{max}&gt;",
    "admin_usage_mode": "Usage: /mode &lt;type&gt; on|off",
    "admin_usage_setmodel": (
        "Usage: /setmodel &lt;type&gt; &lt;owner/model[:version]&gt; "
        "[input template as a JSON object]"
    ),
    "admin_unknown_type": "No mode {type}. The modes: {types}",
    "admin_cost_range": "A cost must be between 0 and {max} credits.",
    "admin_cost_set": (
        "{type} now costs <b>{after}</b> credits (was {before}). An order shown at the old "
        "price asks again at the new one before anything is charged."
    ),
    "admin_mode_on": "✅ {type} is on: it's offered again.",
    "admin_mode_off": (
        "⛔ {type} is off: it's gone from the menu, and orders for it are refused "
        "without charging."
    ),
    "admin_model_invalid": (
        "That's not a Replicate model: use owner/name or owner/name:&lt;64-hex version&gt;."
    ),
    "admin_template_bad_json": "The template isn't valid JSON: {error}",
    "admin_template_not_object": "The template must be a JSON object.",
    "admin_template_unknown": "The generator doesn't fill {names}.",
    "admin_template_no_prompt": "The template must use {placeholder} (the thumbnail prompt).",
    "admin_template_picture_in_text": (
        "A picture placeholder must be a whole value on its own (\"input_image\": "
        "\"{example}\"), not inside other text."
    ),
    "admin_template_pictures": (
        "For {type} the template must use {needed}, and may use only these pictures: "
        "{offered}."
    ),
    "admin_model_preview": (
        "<b>New model for {type}</b> (not applied yet)\n"
        "Model: {before} → <b>{model}</b>\n"
        "Input template:\n<pre>{template}</pre>"
    ),
    "btn_admin_apply": "✅ Apply",
    "admin_model_applied": "✅ {type} now uses {model}.",
    "admin_model_cancelled": "Cancelled; {type} keeps its model.",
    "admin_proposal_decided": "This change was already applied or cancelled.",
    # Broadcasts (admin)
    "broadcast_ask_text": (
        "📣 New broadcast. Send the message: a text, or a photo with a caption. "
        "Its formatting is kept."
    ),
    "broadcast_ask_button": (
        "Add a link button? Send it as <code>Text | https://link</code>, or skip."
    ),
    "broadcast_pick_audience": "☝️ That is exactly how users will see it. Who should get it?",
    "broadcast_confirm": (
        "Send broadcast #{id} to <b>{count}</b> users ({audience})? Users who blocked "
        "the bot or are banned are skipped."
    ),
    "broadcast_progress": (
        "📣 Broadcast #{id}: {done} of {total} done.\n"
        "Delivered {sent} · blocked {blocked} · failed {failed}"
    ),
    "broadcast_done_report": (
        "✅ Broadcast #{id} finished.\n"
        "Delivered <b>{sent}</b> · blocked {blocked} · failed {failed}"
    ),
    "broadcast_stopped_report": (
        "⏹ Broadcast #{id} stopped.\n"
        "Delivered <b>{sent}</b> · blocked {blocked} · failed {failed} · not sent {pending}"
    ),
    "broadcast_unconfirmed": (
        "{count} sends were cut short by a restart and not repeated (they may have arrived)."
    ),
    "broadcast_stopped": (
        "⏹ Broadcast #{id} stopped: {sent} delivered, {pending} not sent yet. "
        "Resume sends to those only."
    ),
    "broadcast_resumed": "▶️ Broadcast #{id} resumed.",
    "broadcast_none_running": "No broadcast is running.",
    "broadcast_cancelled": "Broadcast discarded.",
    "broadcast_needs_text": (
        "A broadcast needs text: send a text message, or the photo with a caption."
    ),
    "broadcast_bad_button": (
        "That isn't a link button. Send <code>Text | https://link</code> (text up to 64 "
        "characters, an http or https link), or skip."
    ),
    "broadcast_gone": "This broadcast can't be changed any more. Start a new one with /broadcast.",
    "audience_all": "everyone",
    "audience_active": "active in the last 30 days",
    "audience_paying": "paying users",
    "audience_language": "language {code}",
    "btn_broadcast_skip": "⏭ Skip",
    "btn_broadcast_cancel": "✖️ Cancel",
    "btn_broadcast_send": "✅ Send",
    "btn_broadcast_resume": "▶️ Resume",
    "btn_audience_all": "👥 Everyone · {count}",
    "btn_audience_active": "🔥 Active 30 days · {count}",
    "btn_audience_paying": "💳 Paying · {count}",
    "btn_audience_language": "🗣 {code} · {count}",
    # Faces
    "face_offer": "Nice photo! Save it as a face to use in thumbnails?",
    "btn_save_face": "✅ Save as face",
    "btn_skip": "✖️ No thanks",
    "face_saved": "✅ Saved! You have {count} of {max} faces. Use it in a face mode of /generate.",
    "face_already": "You saved this photo before; it's in /faces ({count} of {max}).",
    "face_skipped": "OK, I didn't keep it.",
    "face_limit": "You already keep {max} faces. Delete one in /faces first.",
    "faces_list": "🙂 Your saved faces ({count} of {max}):",
    "faces_empty": "You have no saved faces yet. Send me a clear, well-lit photo of your face.",
    "face_caption": "Face {n}",
    "btn_delete_face": "🗑 Delete",
    "face_deleted": "Deleted.",
    "face_gone": "That face is already gone.",
    "image_too_big": "That file is too big: the limit is {limit_mb} MB.",
    "image_too_small": "That photo is too small: I need at least {min_side}×{min_side} pixels.",
    "image_wrong_type": "That's not a photo I can use. Please send a JPEG, PNG or WebP image.",
    "image_unreadable": "I couldn't read that image. Please try another photo.",
    "face_not_found": (
        "I can't find a face in this photo. Send a clear, front-facing photo of one face"
        " (good light, not too small)."
    ),
    "face_largest_kept": "I found {found} faces and kept the largest one.",
    "document_not_image": "That's a {kind} file. Please send a photo (JPEG, PNG or WebP) instead.",
    "sticker": "Stickers are great, but I need a real photo 🙂",
    # Generate
    "choose_mode": "🎨 What kind of thumbnail? You have <b>{credits}</b> credits.",
    "mode_text_to_thumbnail": "✍️ From a description",
    "mode_youtube_thumbnail": "📺 For a YouTube video",
    "mode_your_face": "🙂 With your face",
    "mode_face_youtube": "🙂📺 Your face + a YouTube video",
    "mode_top_youtube_style": "🏆 In a top video's style",
    "mode_top_youtube_style_face": "🏆🙂 Top style + your face",
    "mode_chosen": "Mode: {mode}",
    "ask_prompt": (
        "Describe your video in a sentence: what it's about and the mood. (Up to {max} characters.)"
    ),
    "ask_video": "Send the link to your YouTube video, or just type its title.",
    "ask_style": (
        "Send a link to a successful YouTube video whose thumbnail style you like, or a "
        "screenshot of that thumbnail."
    ),
    "ask_face": "Which face should I use?",
    "ask_face_or_new": "Or use a new photo:",
    "ask_face_none": "Send me a clear photo of your face. I'll save it for next time too.",
    "btn_use_face": "✅ Use face {n}",
    "btn_new_face": "📷 Send a new photo",
    "prompt_too_short": "That's a bit short. Describe your video in a few words.",
    "prompt_too_long": "That's {length} characters; please keep it under {max_chars}.",
    "not_youtube_link": (
        "That doesn't look like a YouTube video link. Send one like https://youtu.be/…"
    ),
    "video_private": "That video is private, so I can't read it. Try another link.",
    "video_not_found": "That video doesn't exist or was deleted. Try another link.",
    "youtube_unreachable": "I couldn't reach YouTube right now. Please try again in a minute.",
    "video_found": "📺 Got it: <b>{title}</b>",
    "ask_title": (
        "I couldn't read that video: YouTube isn't answering right now. Type the video's "
        "title and I'll put it on the thumbnail (nothing is charged yet)."
    ),
    "style_not_link": (
        "Send a link to a YouTube video, or a screenshot of the thumbnail whose style you "
        "like."
    ),
    "style_unreadable": (
        "I couldn't read that video's thumbnail, so I can't follow its style. Send a "
        "screenshot of the thumbnail instead, or another link."
    ),
    "style_found": "🎨 Got the thumbnail: I'll follow its style.",
    "style_picture_saved": "🎨 Got it: I'll follow the style of this picture.",
    "summary_style_picture": "• Style from: your picture",
    "file_gone": "I can't get that file any more. Please send it again.",
    "result_caption": "🖼 {mode} · {date}\n<i>{asked}</i>",
    "price_changed": (
        "The price changed to {cost} credits, so nothing was charged. Have a "
        "look and tap again."
    ),
    "price_check": (
        "This costs <b>{cost}</b> credits now (you have <b>{credits}</b>). Tap to go on."
    ),
    "order_resumed": "You have an unfinished order ({mode}); it's kept. Let's go on:",
    "btn_new_order": "🆕 Start a new order instead",
    "btn_continue_order": "▶️ Continue my order",
    "reason_style_unreadable": "I couldn't read the style video's thumbnail.",
    "flow_waiting_mode": "Pick a mode with the buttons above, or /cancel.",
    "flow_waiting_face": "Pick a face with the buttons above, or send a new photo.",
    "flow_waiting_confirm": "Tap ✅ Generate above to start, or /cancel.",
    "confirm": (
        "Ready! Here's your order:\n{summary}\n\n"
        "Cost: <b>{cost}</b> credits · Your balance: <b>{credits}</b>"
    ),
    "summary_mode": "• Mode: {mode}",
    "summary_prompt": "• Description: {prompt}",
    "summary_video": "• Video: {video}",
    "summary_style": "• Style from: {style}",
    "summary_face": "• Face: {n}",
    "summary_format": "• Shape: {shape} ({width}×{height})",
    "summary_variants": "• Variants: {n}, each charged on its own",
    "summary_variants_compare": (
        "• Variants: {n} clearly different ones, for YouTube's Test &amp; Compare"
    ),
    "btn_format_wide": "🖥 16:9 video",
    "btn_format_tall": "📱 9:16 Shorts",
    "btn_format_square": "⬛ 1:1 post",
    "btn_variants": "{n}×",
    "btn_variants_compare": "{n}× Test & Compare",
    "variants_short": "{n} variants cost {cost} credits and you have {credits}.",
    "btn_confirm": "✅ Generate ({cost} credits)",
    "btn_cancel": "✖️ Cancel",
    "cancel_done": "Cancelled. Nothing was charged. Send /generate to start again.",
    "cancel_nothing": "There's nothing to cancel. Send /generate to make a thumbnail.",
    "insufficient": (
        "Not enough credits: this costs <b>{cost}</b> and you have <b>{credits}</b>. Your "
        "order is kept: get credits, then tap “▶️ Continue my order” (or send /generate)."
    ),
    "charged": "{cost} credits used; {credits} left.",
    "already_running": "Already on it! ⏳",
    "status_queued": "⏳ Your thumbnail is in the queue…",
    "status_running": "🎨 Creating your thumbnail… {percent}%",
    "status_done": "✅ Done!",
    "status_ready": (
        "✅ Your thumbnail is ready. If it isn't just above, tap the button to see it."
    ),
    "btn_show_thumbnail": "🖼 Show my thumbnail",
    "status_failed": "😔 That didn't work.",
    "delivery_failed": (
        "✅ Your thumbnail is ready, but I couldn't send it just now. Find it in /history."
    ),
    "delivered": "Here's your thumbnail! {mode}\n<i>{asked}</i>",
    "btn_regenerate": "🔁 Regenerate · {cost} credits",
    "btn_edit": "✏️ Edit",
    "btn_favourite": "⭐ Favourite",
    "btn_unfavourite": "🌟 Favourite ✓",
    "btn_full_quality": "📎 Full-quality file",
    "btn_start_over": "🆕 Start over",
    "full_quality_caption": "Full quality, {width}×{height} JPEG, ready for YouTube.",
    "generation_failed": (
        "Sorry, I couldn't make this thumbnail. {reason}\n\n"
        "Your <b>{refunded}</b> credits are back; your balance is <b>{credits}</b>."
    ),
    "reason_generation_failed": "Something went wrong on our side.",
    "reason_face_unreadable": "I couldn't use that face photo.",
    "reason_face_missing": "The face photo was deleted before I could use it.",
    "reason_video_private": "The video is private.",
    "reason_video_not_found": "The video doesn't exist or was deleted.",
    "reason_not_youtube_link": "That link isn't a YouTube video.",
    "reason_youtube_unreachable": "I couldn't reach YouTube.",
    "reason_generation_interrupted": "The job was interrupted several times on our side.",
    "reason_content_refused": (
        "The image model refused this request under its content rules. "
        "Try describing it differently."
    ),
    "reason_provider_failed": "The image model had a problem.",
    "reason_provider_timeout": "The image model took too long.",
    # --- generators (H1) ---
    "logo_unreadable": "I couldn't read that logo. Send a PNG or JPEG image, please.",
    # --- variants (H3) ---
    "status_variants_queued": "⏳ Your {n} variants are in the queue…",
    "status_variants_running": "🎨 Creating your {n} variants… {percent}%\n✅ {ready} of {n} ready",
    "status_variants_ready": (
        "✅ Your variants are ready. If they aren't just above, tap a number to see each one."
    ),
    "btn_show_variant": "🖼 {n}",
    "variants_delivered": "Here are your {n} variants! {mode}\n<i>{asked}</i>",
    "variant_caption": "Variant {n}",
    "variants_buttons": (
        "👆 {n} variants above. For each number: 📎 full-quality file · ✏️ edit · "
        "🔁 one more like it ({cost} credits)."
    ),
    "btn_variant_file": "📎 {n}",
    "btn_variant_edit": "✏️ {n}",
    "btn_variant_again": "🔁 {n}",
    "variant_failed": (
        "❌ Variant {n} couldn't be made. {reason} Its <b>{refunded}</b> credits are back."
    ),
    "variants_balance": "Your balance: <b>{credits}</b>.",
    # --- brand kit (H4) ---
    "cmd_style": "Your channel style: colours, font, logo",
    "style_sample": "YOUR TITLE HERE",
    "style_title": "🎨 <b>Your channel style</b>",
    "style_empty": (
        "🎨 <b>Your channel style</b> is empty so far.\n\n"
        "Save your colours, a headline font and position, a logo and a default face once, "
        "or import them from a thumbnail you like: every order can then use them with one tap."
    ),
    "style_unset": "not set",
    "style_colors": "• Colours: {colors}",
    "style_font": "• Font: {font}",
    "style_position": "• Headline: {where}",
    "style_logo": "• Logo: {corner}",
    "style_no_logo": "• Logo: none",
    "style_face": "• Default face: {n}",
    "style_no_face": "• Default face: none",
    "style_how_used": (
        "New orders use it: “🎨 My style” on the confirm screen turns it on or off. "
        "Face modes use the default face unless you pick another."
    ),
    "where_left": "on the left",
    "where_right": "on the right",
    "where_top": "at the top",
    "where_bottom": "at the bottom",
    "where_center": "in the middle",
    "corner_top_left": "top-left corner",
    "corner_top_right": "top-right corner",
    "corner_bottom_left": "bottom-left corner",
    "corner_bottom_right": "bottom-right corner",
    "btn_style_colors": "🎨 Colours",
    "btn_style_font": "🔤 Font",
    "btn_style_position": "📍 Headline position",
    "btn_style_logo": "🏷 Logo",
    "btn_style_face": "🙂 Default face",
    "btn_style_import": "📥 Import from a thumbnail",
    "btn_style_reset": "🗑 Reset",
    "btn_style_preset_fire": "🔥 Fire",
    "btn_style_preset_ocean": "🌊 Ocean",
    "btn_style_preset_money": "💰 Money",
    "btn_style_preset_neon": "🌈 Neon",
    "btn_style_preset_mono": "⚫ Bold mono",
    "style_ask_colors": (
        "Pick a palette, or send up to 3 colours, the main one first: hex codes or names, "
        "e.g. <code>#ff3b1f, yellow, black</code>."
    ),
    "style_colors_unreadable": (
        "“{bad}” isn't a colour I know. Send hex codes like <code>#ff3b1f</code> or "
        "colour names like <code>red</code>, separated by commas. Nothing was changed."
    ),
    "style_colors_too_many": (
        "That's more than {max} colours: send {max} at most. Nothing was changed."
    ),
    "style_saved": "✅ Saved.",
    "style_ask_font": "Which font should your headlines use?",
    "btn_style_font_auto": "Any (the usual)",
    "style_ask_position": "Where should your headline go?",
    "btn_style_pos_left": "⬅️ Left",
    "btn_style_pos_right": "➡️ Right",
    "btn_style_pos_top": "⬆️ Top",
    "btn_style_pos_bottom": "⬇️ Bottom",
    "btn_style_pos_center": "⏺ Middle",
    "btn_style_pos_auto": "Any (varies)",
    "style_ask_logo": (
        "Send your logo or watermark as an image. A PNG with a transparent background "
        "works best: send it as a file to keep the transparency."
    ),
    "btn_style_top_left": "↖️ Top left",
    "btn_style_top_right": "↗️ Top right",
    "btn_style_bottom_left": "↙️ Bottom left",
    "btn_style_bottom_right": "↘️ Bottom right",
    "btn_style_logo_remove": "🗑 Remove the logo",
    "style_logo_saved": "✅ Logo saved.",
    "style_logo_blank": "That image is completely transparent: there's no logo to see in it.",
    "style_ask_corner": "Which corner should the logo go in?",
    "style_logo_removed": "✅ Logo removed.",
    "style_ask_face": "Which saved face should face modes use by default?",
    "btn_style_face_n": "🙂 Face {n}",
    "btn_style_face_none": "No default face",
    "style_no_faces": (
        "You have no saved faces yet. Send me a photo of your face to save one, then "
        "come back to /style."
    ),
    "style_ask_import": (
        "Send a thumbnail whose look you like (a screenshot works). I'll read its colours "
        "and layout and save them as your style."
    ),
    "style_read": "📥 I read this thumbnail:",
    "style_read_colors": "• Colours: {colors}",
    "style_read_face": "• Face: {where}",
    "style_read_no_face": "• Face: none found",
    "style_read_text": "• Text: {where}",
    "style_read_no_text": "• Text: none found",
    "style_read_saved": "✅ Saved as your style: these colours, and your headline goes {where}.",
    "style_read_saved_colors": (
        "✅ Saved as your style: these colours. I couldn't tell where its headline sits, "
        "so your headline position stays as it was."
    ),
    "style_ask_reset": "Delete your saved style (colours, font, position, logo, default face)?",
    "btn_style_reset_yes": "🗑 Yes, reset",
    "style_reset_done": "Your style was reset. /style starts a new one.",
    "style_reset_nothing": "There was no saved style to reset.",
    "style_cancelled": "OK, your style stays as it was.",
    "btn_my_style_on": "🎨 My style: on",
    "btn_my_style_off": "🎨 My style: off",
    "btn_another_face": "🙂 Another face",
    "summary_my_style": "• Style: yours (/style)",
    "summary_default_face": (
        "🙂 That's your default face from /style. To use another one, tap “🙂 Another face”."
    ),
    # --- preview and favourites (H5) ---
    "preview_caption": "👀 How it looks on YouTube, in light and dark mode.",
    "preview_unreadable": (
        "⚠️ At {width}×{height}, the smallest size YouTube shows it, the headline is too "
        "small to read. Fewer, bigger words help: try ✏️ Edit."
    ),
    "preview_views": "12K views",
    "preview_age": "2 hours ago",
    "history_header_favourites": "⭐ Your favourites ({first}–{last} of {total}):",
    "history_no_favourites": (
        "No favourites yet. Tap ⭐ Favourite under a thumbnail you like and it shows up here."
    ),
    "history_edit_of": "✏️ edit of #{n}",
    "btn_history_favourites": "⭐ Only favourites",
    "btn_history_all": "🗂 All",
    "favourite_added": "⭐ Added to your favourites",
    "favourite_removed": "Removed from your favourites",
    # --- edits (H2) ---
    "mode_edit_thumbnail": "✏️ Edit",
    "edit_examples": (
        "• <i>change the headline to I QUIT MY JOB</i>\n"
        "• <i>make the text red</i>\n"
        "• <i>blue background</i>\n"
        "• <i>bigger face</i>\n"
        "• <i>swap sides</i>\n"
        "• <i>more contrast</i>"
    ),
    "edit_ask": (
        "✏️ What should I change in this thumbnail? Tell me in a message, for example:\n"
        "{examples}\n\n"
        "You can also reply to any of my thumbnails with what to change."
    ),
    "edit_nothing": (
        "🤔 I can't apply “{instruction}” to this thumbnail, so nothing was offered or "
        "charged.\n\nHere's what I can do, for example:\n{examples}\n\nOr /cancel."
    ),
    "edit_empty": "✏️ Tell me in words what to change, for example:\n{examples}",
    "edit_too_long": (
        "✏️ That's {length} characters; an edit instruction can have up to {max}. "
        "Say it shorter, for example:\n{examples}"
    ),
    "edit_gone": "I can't find that thumbnail any more. Pick another one in /history.",
    "edit_confirm": (
        "✏️ <b>Edit</b>. I'll change:\n{changes}{skipped}\n\n"
        "Cost: <b>{cost}</b> credits · Your balance: <b>{credits}</b>"
    ),
    "edit_skipped": "⚠️ I can't do this here, so it won't be applied: {phrases}",
    "edit_phrase": "“{phrase}”",
    "edit_change_model": "“{phrase}” (the image model makes this change)",
    "edit_change_headline": "headline → “{detail}”",
    "edit_change_text_color": "accent colour (key word and shapes) → {detail}",
    "edit_change_background": "background colour → {detail}",
    "edit_change_position_left": "headline on the left",
    "edit_change_position_right": "headline on the right",
    "edit_change_position_top": "headline at the top",
    "edit_change_position_bottom": "headline at the bottom",
    "edit_change_position_center": "headline in the middle",
    "edit_change_face_bigger": "bigger face",
    "edit_change_face_smaller": "smaller face",
    "edit_change_flip": "headline and picture swap sides",
    "edit_change_contrast_more": "more contrast",
    "edit_change_contrast_less": "less contrast",
    "edit_change_brighter": "brighter",
    "edit_change_darker": "darker",
    "edit_change_vivid": "more vivid colours",
    "edit_change_muted": "softer colours",
    "btn_edit_confirm": "✅ Edit ({cost} credits)",
    "edit_cancelled": "OK, no edit. Nothing was charged.",
    "edit_caption_changed": "✏️ Changed: {changes}",
    "edit_caption_skipped": "⚠️ Not applied (not possible here): {phrases}",
}
