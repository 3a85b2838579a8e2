# Peerline: British English. Every message may be sent by SMS, so keep to GSM-7:
# straight quotes ' and ", no dashes other than -, no ellipsis character.
# Variables: $channel is "telegram" or "sms"; $role is coordinator, deputy, mentor or mentee.

## Shared pieces

crisis-numbers = If you are in danger now, call 999. Samaritans: 116 123 (free, any time). Text SHOUT to 85258. NHS 111, option 2 for mental health.

role-name = { $role ->
    [coordinator] coordinator
    [deputy] deputy coordinator
    [mentor] peer mentor
   *[mentee] mentee
}

language-name-en-GB = English
language-name-cy = Cymraeg
language-name-pl = Polski

## Joining

welcome-unknown = { $channel ->
    [sms] Hello, this is Peerline, the messaging service for peer mentoring. If your coordinator gave you a code, text JOIN followed by the code.
   *[other] Hello, this is Peerline, the messaging service for peer mentoring. If your coordinator gave you a code, send /start followed by the code.
}

enrol-invalid-code = That code did not work. A code works once and only for { $days ->
    [one] 1 day
   *[other] { $days } days
} after it is given. Please ask your coordinator for a new one.

enrol-welcome = Welcome, { $name }. You are now connected to { $service } as a { $role ->
    [coordinator] coordinator
    [deputy] deputy coordinator
    [mentor] peer mentor
   *[mentee] mentee
}. Your coordinator will be told if a wellbeing check-in shows you are struggling twice in a row, or if you write about being at risk.

enrol-already = You are already connected to Peerline. { $channel ->
    [sms] Text HELP to see what you can do.
   *[other] Send /help to see what you can do.
}

## Opting out and back in

stop-confirm = You will get no more messages from Peerline. If you write to us about being at risk we will still reply. { $channel ->
    [sms] To start again, text START.
   *[other] To start again, send /start.
} { crisis-numbers }

resume-confirm = Welcome back. Messages from Peerline are switched on again. { $channel ->
    [sms] Text HELP to see what you can do.
   *[other] Send /help to see what you can do.
}

## Help

help-mentee = { $channel ->
    [sms] Peerline: text CALLBACK to ask for a call from a peer mentor, LANGUAGE to change language, STOP to stop messages. { crisis-numbers }
   *[other] Peerline: /callback asks for a call from a peer mentor, /language changes language, /stop stops messages. { crisis-numbers }
}

help-mentor = { $channel ->
    [sms] Peerline for peer mentors: reply to check-ins with a number, YES or NO to supervision reminders, CONCERN and your message to raise a worry, LANGUAGE to change language, STOP to stop messages.
   *[other] Peerline for peer mentors: answer check-ins with the buttons, confirm supervision from the reminders, /concern raises a worry with your coordinator, /language changes language, /stop stops messages.
}

help-coordinator = { $channel ->
    [sms] Peerline for coordinators: reply ACK and the reference to acknowledge an alert. Use Telegram for the full set of tools. STOP stops messages.
   *[other] Peerline for coordinators: /escalations lists open alerts, /ack and /resolve act on them, /language changes language, /stop stops messages.
}

## Language

language-choose = { $channel ->
    [sms] To change language, text LANGUAGE and then ENGLISH, CYMRAEG or POLSKI.
   *[other] Choose your language:
}
language-changed = I will write to you in English from now on.
language-unknown = Sorry, I do not know that language. You can choose English, Cymraeg or Polski.

## Anything else

unknown-text = { $channel ->
    [sms] Sorry, I did not understand that. Text HELP to see what you can do.
   *[other] Sorry, I did not understand that. Send /help to see what you can do.
}

callback-recorded = Thank you, we have your request for a call from a peer mentor. Someone from { $service } will be in touch.

service-hours = { $days ->
    [Mon-Fri] Service hours: Monday to Friday, { $start } to { $end }.
   *[other] Service hours: { $days }, { $start } to { $end }.
}
