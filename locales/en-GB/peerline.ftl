# Peerline: British English. Every message may be sent by SMS, so keep to GSM-7:
# straight quotes ' and ", no dashes other than -, no ellipsis character.
# Variables: $channel is "telegram" or "sms"; $role is coordinator, deputy, mentor or mentee.

## Shared pieces

# The help a person is given follows the nation their service is in ($nation; England when
# not given). Every number here is in core/crisis/resources.toml with its source.
crisis-numbers = { $nation ->
    [wales] If you are in danger now, call 999. Samaritans: 116 123 (free, any time; in Welsh 0808 164 0123, evenings). Text SHOUT to 85258. NHS 111, press 2 for mental health.
    [scotland] If you are in danger now, call 999. Samaritans: 116 123 (free, any time). Breathing Space: 0800 83 85 87. Text SHOUT to 85258. NHS 24: 111.
    [northern-ireland] If you are in danger now, call 999. Lifeline: 0808 808 8000 (free, any time). Samaritans: 116 123. Text SHOUT to 85258.
   *[england] If you are in danger now, call 999. Samaritans: 116 123 (free, any time). Text SHOUT to 85258. NHS 111, option 2 for mental health.
}

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
    [sms] Peerline for peer mentors: answer check-ins with a number, YES or NO to supervision reminders, CONCERN and your message to raise a worry, AVAILABLE for callback times, LANGUAGE to change language, STOP to stop. Check-ins use the ONS wellbeing questions.
   *[other] Peerline for peer mentors: answer check-ins with the buttons, confirm supervision from the reminders, /concern raises a worry with your coordinator, /available sets when you take callbacks, /language changes language, /stop stops messages. Check-ins use the ONS personal wellbeing questions.
}

help-coordinator = { $channel ->
    [sms] Peerline for coordinators: reply ACK and the reference to acknowledge an alert. Use Telegram for the full set of tools. STOP stops messages.
   *[other] Peerline for coordinators: /escalations lists open alerts, /ack and /resolve act on them, /supervision books supervision, /language changes language, /stop stops messages.
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


# $days: the working days in this language's short names ("Mon-Fri", "Mon, Wed"); $weekdays
# is "yes" when they are exactly Monday to Friday.
service-hours = { $weekdays ->
    [yes] Service hours: Monday to Friday, { $start } to { $end }.
   *[other] Service hours: { $days }, { $start } to { $end }.
}

## Dates and times

weekday = { $n ->
    [1] Mon
    [2] Tue
    [3] Wed
    [4] Thu
    [5] Fri
    [6] Sat
   *[7] Sun
}
month = { $n ->
    [1] Jan
    [2] Feb
    [3] Mar
    [4] Apr
    [5] May
    [6] Jun
    [7] Jul
    [8] Aug
    [9] Sep
    [10] Oct
    [11] Nov
   *[12] Dec
}
date-time = { $weekday } { $day } { $month }, { $time }

## Weekly wellbeing check-ins: the ONS personal wellbeing questions (ONS4)

checkin-intro = { $channel ->
    [sms] Your weekly wellbeing check-in: 4 questions from the ONS wellbeing measures. Reply with a number from 0 to 10, or SKIP.
   *[other] Your weekly wellbeing check-in: 4 questions from the ONS wellbeing measures. Tap a number from 0 to 10, or Skip.
}
checkin-q-life = { $number }/4: Overall, how satisfied are you with your life nowadays? (0 = not at all, 10 = completely)
checkin-q-worthwhile = { $number }/4: Overall, to what extent do you feel the things you do in your life are worthwhile? (0 = not at all, 10 = completely)
checkin-q-happy = { $number }/4: Overall, how happy did you feel yesterday? (0 = not at all, 10 = completely)
checkin-q-anxious = { $number }/4: Overall, how anxious did you feel yesterday? (0 = not at all anxious, 10 = completely anxious)
button-skip = Skip
checkin-clarify = { $channel ->
    [sms] Sorry, I need a number from 0 to 10, or SKIP.
   *[other] Sorry, I need a number from 0 to 10: tap one of the buttons, or Skip.
}
checkin-thanks = Thank you for checking in. See you next week.
checkin-thanks-low = Thank you for being honest. It sounds like things are hard at the moment. { $role ->
    [mentee] Your peer mentor and coordinator are here for you.
   *[other] Your coordinator is here for you, and supervision is a place to talk about it.
} { crisis-numbers }
checkin-late = Thank you. This check-in had closed, but your answer is saved.
wellbeing-flag = wellbeing flag for { $name }: { $reason ->
    [low-scores] low answers in two check-ins in a row
    [high-anxiety] high anxiety in two check-ins in a row
    [drop-from-median] a drop of 3 or more against their usual answers
   *[missed-twice] two check-ins missed in a row
}

## Supervision

supervision-reminder = Reminder: { $kind ->
    [group] group supervision
   *[other] your 1:1 supervision
} on { $when }, { $placement ->
    [next] at the place in the next message
   *[inline] { $place ->
        [none] at the usual place
       *[other] at { $place }
    }
}. { $channel ->
    [sms] Reply YES if you can come or NO if you can't.
   *[other] Can you come?
}
supervision-place = Where: { $place }
button-confirm = I'll be there
button-decline = Can't make it
supervision-confirmed = Thank you, see you then.
supervision-declined = Thank you for letting us know. Your coordinator will be in touch to rebook.
supervision-declined-staff = { $name } can't make supervision on { $when }. Please rebook.
supervision-record-prompt = How did supervision with { $name } on { $when } go? { $channel ->
    [sms] Please record it in Telegram or with the peerline command.
   *[other] Tap one:
}
button-attended = Attended
button-missed = Missed
button-cancelled = Cancelled
supervision-recorded = Recorded: { $name }, { $outcome ->
    [attended] attended
    [cancelled] cancelled
   *[missed] missed
}.
supervision-missed-rebook = { $name } missed supervision on { $when }. Please rebook within 7 days.
supervision-review-flag = { $name } has missed supervision twice in a row: a review is due.
supervision-due-digest = Supervision due: { $names }. Nobody is booked in with them within the cadence.
supervision-record-gone = There is no such supervision session to record.
supervision-book-who = Book supervision: with whom?
supervision-book-narrow = Not everyone fits: send /supervision and part of a name to find someone.
supervision-book-no-match = No active mentor's name has "{ $name }" in it.
button-book-group = Group (all mentors)
supervision-book-no-mentors = There are no active mentors to book supervision with yet.
supervision-book-day = { $kind ->
    [group] Group supervision
   *[other] Supervision with { $name }
}: which day?
supervision-book-time = { $kind ->
    [group] Group supervision
   *[other] Supervision with { $name }
} on { $day }: what time?
supervision-booked = Booked: { $kind ->
    [group] group supervision
   *[other] 1:1 supervision with { $name }
} on { $when }. Reminders go out 48 hours and 2 hours before. To add a room or video link, send it now.
supervision-book-clash = { $kind ->
    [group] Group supervision is
   *[other] { $name } is
} already booked for { $when }.
supervision-book-gone = That booking has expired. Send /supervision to start again.
supervision-book-telegram = Booking supervision works in Telegram (/supervision) or with the peerline command.
supervision-place-set = Added: supervision on { $when } is at { $place }.
date-day = { $weekday } { $day } { $month }

## Safeguarding

crisis-reply = Thank you for telling us. You are not alone. { crisis-numbers }{ $extra ->
    [drugs] { $nation ->
        [wales] {" "}DAN 24/7, about drugs and alcohol: 0808 808 2234, or text DAN to 81066.
        [scotland] {" "}Know the Score, about drugs: 0800 587 5879.
        [northern-ireland] {""}
       *[england] {" "}FRANK, about drugs: 0300 123 6600 (may show on a phone bill).
    }
    [abuse] { $nation ->
        [wales] {" "}Live Fear Free: 0808 80 10 800, free, day and night.
        [scotland] {" "}Domestic Abuse and Forced Marriage Helpline: 0800 027 1234, free, day and night.
        [northern-ireland] {" "}Domestic and Sexual Abuse Helpline: 0808 802 1414, free, day and night.
       *[england] {" "}National Domestic Abuse Helpline: 0808 2000 247, free, day and night.
    }
   *[none] {""}
}{ $known ->
    [yes] {" "}We have told your coordinator.
   *[no] {""}
}
crisis-out-of-hours = The team will next be in touch from { $when }.
escalation-alert = { $reprompt ->
    [yes] STILL NOT ACKNOWLEDGED after { $minutes } min.{" "}
   *[no] {""}
}URGENT safeguarding { $reference }: { $source ->
    [concern] { $raiser } raised a concern: "{ $text }"
    [wellbeing-flag] { $text }
   *[other] risk words from { $name }: "{ $text }"
}{ $cut ->
    [yes] {" "}(full text: /history { $reference })
   *[no] {""}
}. Reply ACK { $reference } to acknowledge.
escalation-alert-short = URGENT safeguarding { $reference } for { $name }. Reply ACK { $reference } to acknowledge; /history { $reference } shows what was said.
alert-undelivered = Peerline could not deliver { $what ->
    [alert] the safeguarding alert { $reference }
    [crisis] the crisis numbers for { $reference }
   *[other] a safeguarding message
} to { $name } by { $channel }. Please make sure someone has it in hand: /history { $reference }.
alert-unreached = URGENT: no alert for safeguarding { $reference } ({ $name }) has reached any coordinator in { $minutes } minutes. Please act on it now: reply ACK { $reference }, /history { $reference }.
button-acknowledge = Acknowledge
escalation-acknowledged = Acknowledged { $reference }. Thank you. Resolve it with /resolve { $reference } and a note.
escalation-already = { $reference } was already acknowledged.
escalation-resolved = Resolved { $reference }.
escalation-not-found = There is no open alert { $reference } for your service.
escalation-gone = That alert is no longer open.
escalation-none-open = No open alerts.
escalation-open-list = Open alerts: { $list }
escalation-history = History of { $reference }: { $events }
escalation-rules = Flagged by: { $rules }
concern-ack = Thank you. Your coordinator has been alerted (reference { $reference }).
concern-how = { $channel ->
    [sms] Text CONCERN followed by what is worrying you, and your coordinator will be alerted.
   *[other] Send /concern followed by what is worrying you, and your coordinator will be alerted.
}
not-allowed = Sorry, you can't do that from this account.
crisis-reply-short = If you are in danger now, call 999. Samaritans: 116 123, free, any time.

## Peer callbacks

callback-ack = Thank you, we have your request for a call from a peer mentor (reference { $reference }). Expect a call within about { $minutes ->
    [one] 1 minute
   *[other] { $minutes } minutes
}. { $channel ->
    [sms] Text CANCEL CALLBACK if you no longer need it.
   *[other] Send CANCEL CALLBACK if you no longer need it.
}
callback-out-of-hours = Thank you, we have your request for a call from a peer mentor (reference { $reference }). The team is not working now: someone will call from { $when }. { crisis-numbers }
callback-already = We already have your request for a call ({ $reference }). A peer mentor will be in touch.
callback-offer = Callback request { $reference }: { $name } would like a call from a peer mentor. { $channel ->
    [sms] Reply TAKE { $reference } to take it.
   *[other] Tap Accept to take it.
}
button-accept = Accept
callback-won = It's yours: please call { $name } ({ $reference }). { $number ->
    [hidden] Their number is not shown: call through the service's phone line.
   *[other] Their number: { $number }.
}
callback-taken = Thank you: callback { $reference } has already been taken by another mentor.
callback-not-found = There is no open callback { $reference } for your service.
callback-gone = That callback is no longer open.
callback-accepted = A peer mentor will call you soon.
callback-cancelled = Your request for a call is cancelled. { $channel ->
    [sms] Text CALLBACK any time to ask again.
   *[other] Send /callback any time to ask again.
}
callback-unaccepted-staff = Callback { $reference } for { $name } has not been taken by a mentor. Please arrange a call.
callback-ask-safe = When is it safe to call you, and is a voicemail OK? Reply in your own words, for example: after 6pm, no voicemail.
callback-safe-noted = Thank you, we will pass that on to the peer mentor.
callback-safe-forward = { $name } says about the call ({ $reference }): "{ $words }"
callback-record-how = { $channel ->
    [sms] After the call, reply DONE { $reference } CALLED, NOANSWER or FOLLOWUP.
   *[other] After the call, tap how it went:
}
button-called = Called
button-no-answer = No answer
button-follow-up = Follow-up needed
callback-outcome-noted = Thank you, noted for { $reference }.
callback-follow-up-staff = Callback { $reference } with { $name } needs follow-up from the team.

## When mentors take callbacks (/available)

availability-set = Thanks. You'll be offered callback requests at these times: { $windows }.
availability-off = Done. You won't be offered callback requests until you set new times.
availability-current = You're offered callback requests at these times: { $windows }.
availability-none = You have no times set for callback requests.
availability-how = { $channel ->
    [sms] Send AVAILABLE with days and hours, e.g. AVAILABLE Mon-Fri 18:00-21:00, or AVAILABLE OFF to stop.
   *[other] Send /available with days and hours, e.g. /available Mon-Fri 18:00-21:00, or /available off to stop.
}
availability-not-understood = Sorry, I couldn't read "{ $words }".
availability-too-many = Sorry, that's more times than I can take at once.

## Messages for a human: the inbox

inbox-ack = { $open ->
    [yes] Thanks for your message, { $name }. It is with the team at { $service }, and someone will read it today.
   *[no] Thanks for your message, { $name }. It is with the team at { $service }. The office is closed now; someone will read it from { $next }.
}
inbox-notice = { $count ->
    [one] 1 new message is waiting for a reply at { $service }.
   *[other] { $count } new messages are waiting for a reply at { $service }.
} { $channel ->
    [sms] Text INBOX to read them.
   *[other] Send /inbox to read them.
}
inbox-header = Unanswered: { $count } (the oldest { $shown } below). { $channel ->
    [sms] Answer one with REPLY, its reference and your answer; DONE and its reference closes it.
   *[other] Reply to a message below to answer it, or send /reply REF and your answer; /done REF closes one.
}
inbox-item = { $reference } - { $name } ({ $from }), { $when }: { $what }
inbox-media = { $kind ->
    [voice] Voice note ({ $seconds } s)
    [video] Video ({ $seconds } s)
    [audio] Audio ({ $seconds } s)
    [photo] Photo
    [sticker] Sticker
    [animation] GIF
    [document] File
   *[other] Something other than text
}
inbox-no-words = (no words)
inbox-empty = No unanswered messages.
inbox-reply-usage = { $channel ->
    [sms] To answer, text REPLY, the reference and your answer, for example: REPLY M4K2 I will call you at 3.
   *[other] To answer, send /reply, the reference and your answer, for example: /reply M4K2 I will call you at 3.
}
inbox-closed = Closed { $reference } ({ $name }) without a reply.
inbox-not-found = There is no unanswered message { $reference }. Send /inbox to see them.
inbox-reply = { $channel ->
    [sms] { $text } - { $name }, { $service }
   *[other]
        { $text }
        - { $name }, { $service }
}
inbox-replied = Sent to { $name }.
inbox-reply-opted-out = { $name } has stopped messages from Peerline, so your reply was not sent. The message stays in /inbox until you close it with /done.
inbox-reply-too-long = Your reply is too long for one message ({ $length } characters; at most { $limit }). Please shorten it and send it again.
