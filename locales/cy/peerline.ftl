# Peerline: Welsh (Cymraeg). Every message may be sent by SMS, so keep to plain punctuation:
# straight quotes ' and ", no dashes other than -, no ellipsis character.
# Variables: $channel is "telegram" or "sms"; $role is coordinator, deputy, mentor or mentee.
# SMS keywords, Telegram commands and phone numbers stay in English.
# Wording avoids a and o with circumflex (GSM-7 has neither) so these SMS stay at GSM-7 prices.

## Shared pieces

crisis-numbers = { $nation ->
    [wales] Os ydych chi mewn perygl nawr, ffoniwch 999. Y Samariaid: 116 123 (am ddim, unrhyw bryd; yn Gymraeg 0808 164 0123, gyda'r nos). Tecstiwch SHOUT i 85258. GIG 111, pwyswch 2 ar gyfer iechyd meddwl.
    [scotland] Os ydych chi mewn perygl nawr, ffoniwch 999. Y Samariaid: 116 123 (am ddim, unrhyw bryd). Breathing Space: 0800 83 85 87. Tecstiwch SHOUT i 85258. NHS 24: 111.
    [northern-ireland] Os ydych chi mewn perygl nawr, ffoniwch 999. Lifeline: 0808 808 8000 (am ddim, unrhyw bryd). Y Samariaid: 116 123. Tecstiwch SHOUT i 85258.
   *[england] Os ydych chi mewn perygl nawr, ffoniwch 999. Y Samariaid: 116 123 (am ddim, unrhyw bryd; yn Gymraeg 0808 164 0123, gyda'r nos). Tecstiwch SHOUT i 85258. GIG 111, opsiwn 2 ar gyfer iechyd meddwl.
}

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
}. Bydd eich cydlynydd yn cael gwybod os bydd dau wiriad llesiant yn olynol yn dangos eich bod chi'n ei chael hi'n anodd, neu os byddwch chi'n ysgrifennu eich bod mewn perygl.

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
    [sms] Peerline i fentoriaid cymheiriaid: atebwch wiriadau llesiant gyda rhif, YES neu NO i nodiadau atgoffa am oruchwyliaeth, CONCERN a'ch neges i godi pryder, AVAILABLE i osod amseroedd galwadau, LANGUAGE i newid iaith, STOP i atal negeseuon. Mae'r gwiriadau yn defnyddio cwestiynau llesiant personol y SYG (ONS).
   *[other] Peerline i fentoriaid cymheiriaid: atebwch wiriadau llesiant gyda'r botymau, cadarnhewch oruchwyliaeth o'r nodiadau atgoffa, /concern i godi pryder gyda'ch cydlynydd, /available i osod pryd rydych yn cymryd galwadau, /language i newid iaith, /stop i atal negeseuon. Mae'r gwiriadau yn defnyddio cwestiynau llesiant personol y SYG (ONS).
}

help-coordinator = { $channel ->
    [sms] Peerline i gydlynwyr: atebwch ACK a'r cyfeirnod i gydnabod rhybudd. Defnyddiwch Telegram i gael yr holl offer. Mae STOP yn atal negeseuon.
   *[other] Peerline i gydlynwyr: /escalations i weld rhybuddion agored, /ack a /resolve i'w cydnabod a'u datrys, /supervision i drefnu goruchwyliaeth, /language i newid iaith, /stop i atal negeseuon.
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


service-hours = { $weekdays ->
    [yes] Oriau'r gwasanaeth: dydd Llun i ddydd Gwener, { $start } tan { $end }.
   *[other] Oriau'r gwasanaeth: { $days }, { $start } tan { $end }.
}

## Dates and times

weekday = { $n ->
    [1] Llun
    [2] Maw
    [3] Mer
    [4] Iau
    [5] Gwe
    [6] Sad
   *[7] Sul
}
month = { $n ->
    [1] Ion
    [2] Chwef
    [3] Mawrth
    [4] Ebr
    [5] Mai
    [6] Meh
    [7] Gorff
    [8] Awst
    [9] Medi
    [10] Hyd
    [11] Tach
   *[12] Rhag
}
date-time = { $weekday } { $day } { $month }, { $time }

## Weekly wellbeing check-ins: the ONS personal wellbeing questions (ONS4)

checkin-intro = { $channel ->
    [sms] Eich gwiriad llesiant wythnosol: 4 cwestiwn o fesurau llesiant y SYG (ONS). Atebwch gyda rhif o 0 i 10, neu SKIP (HEPGOR).
   *[other] Eich gwiriad llesiant wythnosol: 4 cwestiwn o fesurau llesiant y SYG (ONS). Dewiswch rif o 0 i 10, neu Hepgor.
}
checkin-q-life = { $number }/4: Yn gyffredinol, pa mor fodlon ydych chi ar eich bywyd y dyddiau hyn? (0 = ddim o gwbl, 10 = yn llwyr)
checkin-q-worthwhile = { $number }/4: Yn gyffredinol, i ba raddau ydych chi'n teimlo bod y pethau rydych chi'n eu gwneud yn eich bywyd yn werth chweil? (0 = ddim o gwbl, 10 = yn llwyr)
checkin-q-happy = { $number }/4: Yn gyffredinol, pa mor hapus oeddech chi'n teimlo ddoe? (0 = ddim o gwbl, 10 = yn llwyr)
checkin-q-anxious = { $number }/4: Yn gyffredinol, pa mor bryderus oeddech chi'n teimlo ddoe? (0 = ddim yn bryderus o gwbl, 10 = yn gwbl bryderus)
button-skip = Hepgor
checkin-clarify = { $channel ->
    [sms] Mae'n ddrwg gen i, rhowch rif o 0 i 10, neu SKIP (HEPGOR).
   *[other] Mae'n ddrwg gen i, dewiswch rif o 0 i 10 gyda'r botymau, neu Hepgor.
}
checkin-thanks = Diolch am lenwi'r gwiriad llesiant. Tan yr wythnos nesaf.
checkin-thanks-low = Diolch am fod yn onest. Mae'n swnio fel bod pethau'n anodd ar hyn o bryd. { $role ->
    [mentee] Mae eich mentor cymheiriaid a'ch cydlynydd yma i chi.
   *[other] Mae eich cydlynydd yma i chi, ac mae goruchwyliaeth yn lle i siarad amdano.
} { crisis-numbers }
checkin-late = Diolch. Roedd y gwiriad hwn wedi cau, ond mae eich ateb wedi'i gadw.
wellbeing-flag = rhybudd llesiant am { $name }: { $reason ->
    [low-scores] atebion isel mewn dau wiriad yn olynol
    [high-anxiety] gorbryder uchel mewn dau wiriad yn olynol
    [drop-from-median] atebion 3 neu fwy yn is na'u hatebion arferol
   *[missed-twice] dau wiriad wedi'u methu yn olynol
}

## Supervision

supervision-reminder = Nodyn atgoffa: { $kind ->
    [group] goruchwyliaeth ar y cyd
   *[other] eich goruchwyliaeth 1:1
}, { $when }, { $placement ->
    [next] lleoliad: yn y neges nesaf
   *[inline] { $place ->
        [none] yn y lle arferol
       *[other] lleoliad: { $place }
    }
}. { $channel ->
    [sms] Atebwch YES (IE) os gallwch ddod, neu NO (NA) os na allwch.
   *[other] Allwch chi ddod?
}
supervision-place = Lleoliad: { $place }
button-confirm = Bydda i yno
button-decline = Alla i ddim dod
supervision-confirmed = Diolch, welwn ni chi yno.
supervision-declined = Diolch am roi gwybod i ni. Bydd eich cydlynydd yn cysylltu i drefnu amser newydd.
supervision-declined-staff = All { $name } ddim dod i oruchwyliaeth ({ $when }). Trefnwch sesiwn arall.
supervision-record-prompt = Sut aeth goruchwyliaeth { $name } ({ $when })? { $channel ->
    [sms] Cofnodwch y canlyniad yn Telegram neu gyda'r gorchymyn peerline.
   *[other] Dewiswch un:
}
button-attended = Wedi dod
button-missed = Heb ddod
button-cancelled = Canslwyd
supervision-recorded = Cofnodwyd: { $name }, { $outcome ->
    [attended] wedi dod
    [cancelled] canslwyd
   *[missed] heb ddod
}.
supervision-missed-rebook = Ddaeth { $name } ddim i oruchwyliaeth ({ $when }). Trefnwch sesiwn newydd o fewn 7 diwrnod.
supervision-review-flag = Mae { $name } wedi methu goruchwyliaeth ddwywaith yn olynol: mae angen adolygiad.
supervision-due-digest = Goruchwyliaeth yn ddyledus: { $names }. Does dim sesiwn wedi'i threfnu iddyn nhw o fewn y cyfnod.
supervision-record-gone = Does dim sesiwn oruchwylio o'r fath i'w chofnodi.
supervision-book-who = Trefnu goruchwyliaeth: gyda phwy?
supervision-book-narrow = Does dim lle i bawb: anfonwch /supervision a rhan o enw i ddod o hyd i rywun.
supervision-book-no-match = Does dim mentor gweithredol ag enw sy'n cynnwys "{ $name }".
button-book-group = Grŵp (pob mentor)
supervision-book-no-mentors = Does dim mentoriaid gweithredol i drefnu goruchwyliaeth gyda nhw eto.
supervision-book-day = { $kind ->
    [group] Goruchwyliaeth grŵp
   *[other] Goruchwyliaeth gyda { $name }
}: pa ddiwrnod?
supervision-book-time = { $kind ->
    [group] Goruchwyliaeth grŵp
   *[other] Goruchwyliaeth gyda { $name }
} ar { $day }: faint o'r gloch?
supervision-booked = Wedi'i threfnu: { $kind ->
    [group] goruchwyliaeth grŵp
   *[other] goruchwyliaeth 1:1 gyda { $name }
} ar { $when }. Bydd nodiadau atgoffa'n mynd allan 48 awr a 2 awr cyn hynny. I ychwanegu ystafell neu ddolen fideo, anfonwch hi nawr.
supervision-book-clash = { $kind ->
    [group] Mae goruchwyliaeth grŵp
   *[other] Mae { $name }
} wedi'i threfnu'n barod ar gyfer { $when }.
supervision-book-gone = Mae'r trefniant hwnnw wedi dod i ben. Anfonwch /supervision i ddechrau eto.
supervision-book-telegram = Mae trefnu goruchwyliaeth yn gweithio yn Telegram (/supervision) neu gyda'r gorchymyn peerline.
supervision-place-set = Wedi'i ychwanegu: mae goruchwyliaeth ar { $when } yn { $place }.
date-day = { $weekday } { $day } { $month }

## Safeguarding

crisis-reply = Diolch am ddweud wrthon ni. Dydych chi ddim ar eich pen eich hun. { crisis-numbers }{ $extra ->
    [drugs] { $nation ->
        [wales] {" "}DAN 24/7, am gyffuriau ac alcohol: 0808 808 2234, neu tecstiwch DAN i 81066.
        [scotland] {" "}Know the Score, am gyffuriau: 0800 587 5879.
        [northern-ireland] {""}
       *[england] {" "}FRANK, am gyffuriau: 0300 123 6600 (gall ymddangos ar eich bil).
    }
    [abuse] { $nation ->
        [wales] {" "}Byw Heb Ofn (Live Fear Free): 0808 80 10 800, am ddim, ddydd a nos.
        [scotland] {" "}Domestic Abuse and Forced Marriage Helpline: 0800 027 1234, am ddim, ddydd a nos.
        [northern-ireland] {" "}Domestic and Sexual Abuse Helpline: 0808 802 1414, am ddim, ddydd a nos.
       *[england] {" "}Llinell gymorth cam-drin domestig (National Domestic Abuse Helpline): 0808 2000 247, am ddim, ddydd a nos.
    }
   *[none] {""}
}{ $known ->
    [yes] {" "}Rydyn ni wedi rhoi gwybod i'ch cydlynydd.
   *[no] {""}
}
crisis-out-of-hours = Bydd y staff ar gael nesaf: { $when }.
escalation-alert = { $reprompt ->
    [yes] HEB EI GYDNABOD O HYD wedi { $minutes } munud.{" "}
   *[no] {""}
}DIOGELU BRYS { $reference }: { $source ->
    [concern] mae { $raiser } wedi codi pryder: "{ $text }"
    [wellbeing-flag] { $text }
   *[other] geiriau risg gan { $name }: "{ $text }"
}{ $cut ->
    [yes] {" "}(y testun llawn: /history { $reference })
   *[no] {""}
}. Atebwch ACK { $reference } i'w gydnabod.
escalation-alert-short = DIOGELU BRYS { $reference } ar gyfer { $name }. Atebwch ACK { $reference } i'w gydnabod; mae /history { $reference } yn dangos beth a ddywedwyd.
alert-undelivered = Methodd Peerline anfon { $what ->
    [alert] y rhybudd diogelu { $reference }
    [crisis] y rhifau argyfwng ar gyfer { $reference }
   *[other] neges ddiogelu
} at { $name } drwy { $channel }. Gwnewch yn siwr bod rhywun yn delio ag ef: /history { $reference }.
alert-unreached = BRYS: does dim rhybudd ar gyfer diogelu { $reference } ({ $name }) wedi cyrraedd unrhyw gydlynydd mewn { $minutes } munud. Gweithredwch nawr: atebwch ACK { $reference }, /history { $reference }.
button-acknowledge = Cydnabod
escalation-acknowledged = Cydnabuwyd { $reference }. Diolch. I'w ddatrys, anfonwch /resolve { $reference } a nodyn.
escalation-already = Roedd { $reference } eisoes wedi'i gydnabod.
escalation-resolved = Datryswyd { $reference }.
escalation-not-found = Does dim rhybudd agored { $reference } ar gyfer eich gwasanaeth.
escalation-gone = Nid yw'r rhybudd hwnnw ar agor mwyach.
escalation-none-open = Dim rhybuddion agored.
escalation-open-list = Rhybuddion agored: { $list }
escalation-history = Hanes { $reference }: { $events }
escalation-rules = Wedi'i nodi gan: { $rules }
concern-ack = Diolch. Rydym wedi rhoi gwybod i'ch cydlynydd (cyfeirnod { $reference }).
concern-how = { $channel ->
    [sms] Tecstiwch CONCERN ac yna beth sy'n eich poeni, a byddwn yn rhoi gwybod i'ch cydlynydd.
   *[other] Anfonwch /concern ac yna beth sy'n eich poeni, a byddwn yn rhoi gwybod i'ch cydlynydd.
}
not-allowed = Mae'n ddrwg gen i, allwch chi ddim gwneud hynny o'r cyfrif hwn.
crisis-reply-short = Os ydych chi mewn perygl nawr, ffoniwch 999. Y Samariaid: 116 123, am ddim, unrhyw bryd.

## Galwadau yn ol gan fentor

callback-ack = Diolch, mae gennym eich cais am alwad gan fentor cymheiriaid (cyfeirnod { $reference }). Disgwyliwch alwad o fewn tua { $minutes } munud. { $channel ->
    [sms] Tecstiwch CANCEL CALLBACK os nad oes ei hangen mwyach.
   *[other] Anfonwch CANCEL CALLBACK os nad oes ei hangen mwyach.
}
callback-out-of-hours = Diolch, mae gennym eich cais am alwad gan fentor cymheiriaid (cyfeirnod { $reference }). Dydy'r tîm ddim yn gweithio nawr: bydd rhywun yn eich ffonio o { $when } ymlaen. { crisis-numbers }
callback-already = Mae gennym eich cais am alwad yn barod ({ $reference }). Bydd mentor cymheiriaid yn cysylltu.
callback-offer = Cais am alwad { $reference }: hoffai { $name } gael galwad gan fentor cymheiriaid. { $channel ->
    [sms] Atebwch TAKE { $reference } i'w gymryd.
   *[other] Pwyswch Derbyn i'w gymryd.
}
button-accept = Derbyn
callback-won = Eich galwad chi yw hi: ffoniwch { $name } ({ $reference }). { $number ->
    [hidden] Dydy'r rhif ddim yn cael ei ddangos: ffoniwch o rif y gwasanaeth.
   *[other] Eu rhif: { $number }.
}
callback-taken = Diolch: mae mentor arall wedi cymryd galwad { $reference } yn barod.
callback-not-found = Does dim galwad agored { $reference } ar gyfer eich gwasanaeth.
callback-gone = Nid yw'r alwad honno ar agor mwyach.
callback-accepted = Bydd mentor cymheiriaid yn eich ffonio cyn bo hir.
callback-cancelled = Mae eich cais am alwad wedi'i ganslo. { $channel ->
    [sms] Tecstiwch CALLBACK unrhyw bryd i ofyn eto.
   *[other] Anfonwch /callback unrhyw bryd i ofyn eto.
}
callback-unaccepted-staff = Does dim mentor wedi cymryd galwad { $reference } ar gyfer { $name }. Trefnwch alwad, os gwelwch yn dda.
callback-ask-safe = Pryd mae'n ddiogel eich ffonio, ac a yw neges lais yn iawn? Atebwch yn eich geiriau eich hun, er enghraifft: ar ôl 6pm, dim neges lais.
callback-safe-noted = Diolch, byddwn yn rhoi gwybod i'r mentor cymheiriaid.
callback-safe-forward = Mae { $name } yn dweud am yr alwad ({ $reference }): "{ $words }"
callback-record-how = { $channel ->
    [sms] Ar ol yr alwad, atebwch DONE { $reference } CALLED, NOANSWER neu FOLLOWUP.
   *[other] Ar ol yr alwad, pwyswch sut aeth hi:
}
button-called = Wedi ffonio
button-no-answer = Dim ateb
button-follow-up = Angen dilyn i fyny
callback-outcome-noted = Diolch, wedi'i nodi ar gyfer { $reference }.
callback-follow-up-staff = Mae angen i'r tîm ddilyn galwad { $reference } gyda { $name } i fyny.

## Pryd mae mentoriaid yn cymryd galwadau (/available)

availability-set = Diolch. Byddwch yn cael cynnig ceisiadau am alwad ar yr adegau hyn: { $windows }.
availability-off = Wedi'i wneud. Fyddwch chi ddim yn cael cynnig ceisiadau am alwad nes i chi osod amseroedd newydd.
availability-current = Rydych yn cael cynnig ceisiadau am alwad ar yr adegau hyn: { $windows }.
availability-none = Does gennych chi ddim amseroedd wedi'u gosod ar gyfer ceisiadau am alwad.
availability-how = { $channel ->
    [sms] Anfonwch AVAILABLE gyda dyddiau ac oriau, e.e. AVAILABLE Llun-Gwe 18:00-21:00, neu AVAILABLE OFF i stopio.
   *[other] Anfonwch /available gyda dyddiau ac oriau, e.e. /available Llun-Gwe 18:00-21:00, neu /available off i stopio.
}
availability-not-understood = Mae'n ddrwg gen i, allwn i ddim darllen "{ $words }".
availability-too-many = Mae'n ddrwg gen i, mae hynny'n ormod o amseroedd ar unwaith.

## Negeseuon i berson: y mewnflwch

inbox-ack = { $open ->
    [yes] Diolch am eich neges, { $name }. Mae gyda'r tîm yn { $service }, a bydd rhywun yn ei darllen heddiw.
   *[no] Diolch am eich neges, { $name }. Mae gyda'r tîm yn { $service }. Mae'r swyddfa ar gau nawr; bydd rhywun yn ei darllen o { $next } ymlaen.
}
inbox-notice = { $count ->
    [one] Mae 1 neges newydd yn aros am ateb yn { $service }.
   *[other] Mae { $count } neges newydd yn aros am ateb yn { $service }.
} { $channel ->
    [sms] Tecstiwch INBOX i'w darllen.
   *[other] Anfonwch /inbox i'w darllen.
}
inbox-header = Heb ateb: { $count } (y { $shown } hynaf isod). { $channel ->
    [sms] Atebwch un gyda REPLY, ei gyfeirnod a'ch ateb; mae DONE a'i gyfeirnod yn ei chau.
   *[other] Atebwch neges isod i'w hateb, neu anfonwch /reply CYF a'ch ateb; mae /done CYF yn cau un.
}
inbox-item = { $reference } - { $name } ({ $from }), { $when }: { $what }
inbox-media = { $kind ->
    [voice] Neges llais ({ $seconds } e)
    [video] Fideo ({ $seconds } e)
    [audio] Sain ({ $seconds } e)
    [photo] Llun
    [sticker] Sticer
    [animation] GIF
    [document] Ffeil
   *[other] Rhywbeth heblaw testun
}
inbox-no-words = (dim geiriau)
inbox-empty = Does dim negeseuon heb eu hateb.
inbox-reply-usage = { $channel ->
    [sms] I ateb, tecstiwch REPLY, y cyfeirnod a'ch ateb, er enghraifft: REPLY M4K2 Byddaf yn eich ffonio am 3.
   *[other] I ateb, anfonwch /reply, y cyfeirnod a'ch ateb, er enghraifft: /reply M4K2 Byddaf yn eich ffonio am 3.
}
inbox-closed = Wedi cau { $reference } ({ $name }) heb ateb.
inbox-not-found = Does dim neges heb ei hateb { $reference }. Anfonwch /inbox i'w gweld.
inbox-reply = { $channel ->
    [sms] { $text } - { $name }, { $service }
   *[other]
        { $text }
        - { $name }, { $service }
}
inbox-replied = Wedi anfon at { $name }.
inbox-reply-opted-out = Mae { $name } wedi atal negeseuon gan Peerline, felly ni anfonwyd eich ateb. Mae'r neges yn aros yn /inbox nes i chi ei chau gyda /done.
inbox-reply-too-long = Mae eich ateb yn rhy hir i un neges ({ $length } nod; { $limit } ar y mwyaf). Byrhewch ef a'i anfon eto.
