# Peerline: Welsh (Cymraeg). Every message may be sent by SMS, so keep to plain punctuation:
# straight quotes ' and ", no dashes other than -, no ellipsis character.
# Variables: $channel is "telegram" or "sms"; $role is coordinator, deputy, mentor or mentee.
# SMS keywords, Telegram commands and phone numbers stay in English.
# Wording avoids a and o with circumflex (GSM-7 has neither) so these SMS stay at GSM-7 prices.

## Shared pieces

crisis-numbers = Os ydych chi mewn perygl nawr, ffoniwch 999. Y Samariaid: 116 123 (am ddim, unrhyw bryd). Tecstiwch SHOUT i 85258. GIG 111, opsiwn 2 ar gyfer iechyd meddwl.

role-name = { $role ->
    [coordinator] cydlynydd
    [deputy] dirprwy gydlynydd
    [mentor] mentor cymheiriaid
   *[mentee] mentorai
}

language-name-en-GB = English
language-name-cy = Cymraeg
language-name-pl = Polski

## Joining

welcome-unknown = { $channel ->
    [sms] Helo, Peerline sydd yma, y gwasanaeth negeseuon ar gyfer mentora cymheiriaid. Os yw eich cydlynydd wedi rhoi cod i chi, tecstiwch JOIN ac yna'r cod.
   *[other] Helo, Peerline sydd yma, y gwasanaeth negeseuon ar gyfer mentora cymheiriaid. Os yw eich cydlynydd wedi rhoi cod i chi, anfonwch /start ac yna'r cod.
}

enrol-invalid-code = Doedd y cod yna ddim yn gweithio. Mae cod yn gweithio unwaith yn unig, a dim ond am { $days ->
    [zero] { $days } diwrnod
    [one] { $days } diwrnod
    [two] { $days } ddiwrnod
    [few] { $days } diwrnod
    [many] { $days } diwrnod
   *[other] { $days } diwrnod
} wedi iddo gael ei roi. Gofynnwch i'ch cydlynydd am un newydd.

enrol-welcome = Croeso, { $name }. Rydych chi nawr wedi'ch cysylltu gyda'r gwasanaeth { $service } fel { $role ->
    [coordinator] cydlynydd
    [deputy] dirprwy gydlynydd
    [mentor] mentor cymheiriaid
   *[mentee] mentorai
}. Bydd eich cydlynydd yn cael gwybod os bydd dau wiriad lles yn olynol yn dangos eich bod chi'n ei chael hi'n anodd, neu os byddwch chi'n ysgrifennu eich bod mewn perygl.

enrol-already = Mae eich cyfrif Peerline eisoes wedi'i gysylltu. { $channel ->
    [sms] Tecstiwch HELP i weld beth allwch chi ei wneud.
   *[other] Anfonwch /help i weld beth allwch chi ei wneud.
}

## Opting out and back in

stop-confirm = Fydd Peerline ddim yn anfon rhagor o negeseuon atoch chi. Os byddwch chi'n ysgrifennu aton ni i ddweud eich bod mewn perygl, byddwn ni'n dal i ateb. { $channel ->
    [sms] I ddechrau eto, tecstiwch START.
   *[other] I ddechrau eto, anfonwch /start.
} { crisis-numbers }

resume-confirm = Helo eto. Mae negeseuon Peerline wedi'u troi ymlaen eto. { $channel ->
    [sms] Tecstiwch HELP i weld beth allwch chi ei wneud.
   *[other] Anfonwch /help i weld beth allwch chi ei wneud.
}

## Help

help-mentee = { $channel ->
    [sms] Peerline: tecstiwch CALLBACK i ofyn am alwad gan fentor cymheiriaid, LANGUAGE i newid iaith, STOP i atal negeseuon. { crisis-numbers }
   *[other] Peerline: /callback i ofyn am alwad gan fentor cymheiriaid, /language i newid iaith, /stop i atal negeseuon. { crisis-numbers }
}

help-mentor = { $channel ->
    [sms] Peerline i fentoriaid cymheiriaid: atebwch wiriadau lles gyda rhif, YES neu NO i nodiadau atgoffa am oruchwyliaeth, CONCERN a'ch neges i godi pryder, LANGUAGE i newid iaith, STOP i atal negeseuon.
   *[other] Peerline i fentoriaid cymheiriaid: atebwch wiriadau lles gyda'r botymau, cadarnhewch oruchwyliaeth o'r nodiadau atgoffa, /concern i godi pryder gyda'ch cydlynydd, /language i newid iaith, /stop i atal negeseuon.
}

help-coordinator = { $channel ->
    [sms] Peerline i gydlynwyr: atebwch ACK a'r cyfeirnod i gydnabod rhybudd. Defnyddiwch Telegram i gael yr holl offer. Mae STOP yn atal negeseuon.
   *[other] Peerline i gydlynwyr: /escalations i weld rhybuddion agored, /ack a /resolve i'w cydnabod a'u datrys, /language i newid iaith, /stop i atal negeseuon.
}

## Language

language-choose = { $channel ->
    [sms] I newid iaith, anfonwch IAITH ac yna ENGLISH, CYMRAEG neu POLSKI.
   *[other] Dewiswch eich iaith:
}
language-changed = Bydda i'n ysgrifennu atoch chi yn Gymraeg o hyn ymlaen.
language-unknown = Mae'n ddrwg gen i, dydw i ddim yn adnabod yr iaith honno. Gallwch chi ddewis English, Cymraeg neu Polski.

## Anything else

unknown-text = { $channel ->
    [sms] Mae'n ddrwg gen i, wnes i ddim deall hynny. Tecstiwch HELP i weld beth allwch chi ei wneud.
   *[other] Mae'n ddrwg gen i, wnes i ddim deall hynny. Anfonwch /help i weld beth allwch chi ei wneud.
}

callback-recorded = Diolch, mae eich cais am alwad gan fentor cymheiriaid wedi dod i law. Bydd rhywun o'r gwasanaeth { $service } yn cysylltu gyda chi.

service-hours = { $days ->
    [Mon-Fri] Oriau'r gwasanaeth: dydd Llun i ddydd Gwener, { $start } tan { $end }.
   *[other] Oriau'r gwasanaeth: { $days }, { $start } tan { $end }.
}
