# Peerline: Polish (polski). Every message may be sent by SMS, so keep to plain punctuation:
# straight quotes ' and ", no dashes other than -, no ellipsis character.
# Variables: $channel is "telegram" or "sms"; $role is coordinator, deputy, mentor or mentee.
# SMS keywords, Telegram commands and phone numbers stay in English.
# Wording avoids grammatical gender of the reader (no "zapisany/zapisana" etc.).

## Shared pieces

crisis-numbers = { $nation ->
    [wales] Jeśli jesteś teraz w niebezpieczeństwie, dzwoń pod 999 lub 112 i powiedz "Polish" (tłumacz). Samaritans: 116 123 (bezpłatnie, całą dobę, po angielsku). SMS SHOUT na 85258 (po angielsku). NHS 111, wybierz 2 (zdrowie psychiczne).
    [scotland] Jeśli jesteś teraz w niebezpieczeństwie, dzwoń pod 999 lub 112 i powiedz "Polish" (tłumacz). Samaritans: 116 123 (bezpłatnie, całą dobę, po angielsku). Breathing Space: 0800 83 85 87 (po angielsku). NHS 24: 111.
    [northern-ireland] Jeśli jesteś teraz w niebezpieczeństwie, dzwoń pod 999 lub 112 i powiedz "Polish" (tłumacz). Lifeline: 0808 808 8000 (bezpłatnie, całą dobę, po angielsku). Samaritans: 116 123 (po angielsku).
   *[england] Jeśli jesteś teraz w niebezpieczeństwie, dzwoń pod 999 lub 112 i powiedz "Polish" (tłumacz). Samaritans: 116 123 (bezpłatnie, całą dobę, po angielsku). SMS SHOUT na 85258 (po angielsku). NHS 111, opcja 2 (zdrowie psychiczne).
}

role-name = { $role ->
    [coordinator] koordynator
    [deputy] zastępca koordynatora
    [mentor] mentor rówieśniczy
   *[mentee] mentee
}

language-name-en-GB = English
language-name-cy = Cymraeg
language-name-pl = Polski

## Joining

welcome-unknown = { $channel ->
    [sms] Dzień dobry, tu Peerline, komunikator programu mentoringu rówieśniczego. Jeśli masz kod od koordynatora, wyślij SMS o treści JOIN, a po nim kod.
   *[other] Dzień dobry, tu Peerline, komunikator programu mentoringu rówieśniczego. Jeśli masz kod od koordynatora, wyślij /start, a po nim kod.
}

enrol-invalid-code = Ten kod nie zadziałał. Kod działa tylko raz i tylko przez { $days ->
    [one] { $days } dzień
    [few] { $days } dni
    [many] { $days } dni
   *[other] { $days } dnia
} od wydania. Poproś koordynatora o nowy kod.

enrol-welcome = Witaj, { $name }. Masz teraz dostęp do { $service } jako { $role ->
    [coordinator] koordynator
    [deputy] zastępca koordynatora
    [mentor] mentor rówieśniczy
   *[mentee] mentee
}. Twój koordynator dostanie informację, jeśli Twoje odpowiedzi na pytania o samopoczucie dwa razy z rzędu pokażą, że jest Ci ciężko, albo jeśli napiszesz, że jesteś w niebezpieczeństwie.

enrol-already = Już korzystasz z Peerline. { $channel ->
    [sms] Napisz HELP, aby zobaczyć, co możesz zrobić.
   *[other] Wyślij /help, aby zobaczyć, co możesz zrobić.
}

## Opting out and back in

stop-confirm = Nie dostaniesz już więcej wiadomości od Peerline. Jeśli napiszesz do nas, że jesteś w niebezpieczeństwie, i tak odpowiemy. { $channel ->
    [sms] Aby zacząć od nowa, napisz START.
   *[other] Aby zacząć od nowa, wyślij /start.
} { crisis-numbers }

resume-confirm = Witaj ponownie. Wiadomości od Peerline są znowu włączone. { $channel ->
    [sms] Napisz HELP, aby zobaczyć, co możesz zrobić.
   *[other] Wyślij /help, aby zobaczyć, co możesz zrobić.
}

## Help

help-mentee = { $channel ->
    [sms] Peerline: napisz CALLBACK, aby poprosić o telefon od mentora rówieśniczego, LANGUAGE, aby zmienić język, STOP, aby wyłączyć wiadomości. { crisis-numbers }
   *[other] Peerline: /callback wysyła prośbę o telefon od mentora rówieśniczego, /language zmienia język, /stop wyłącza wiadomości. { crisis-numbers }
}

help-mentor = { $channel ->
    [sms] Peerline dla mentorów rówieśniczych: na pytania o samopoczucie odpowiadaj liczbą, na przypomnienia o superwizji YES lub NO, napisz CONCERN i swoją wiadomość, aby zgłosić obawy, AVAILABLE, aby ustawić godziny telefonów, LANGUAGE, aby zmienić język, STOP, aby wyłączyć wiadomości. Pytania pochodzą z badania dobrostanu ONS.
   *[other] Peerline dla mentorów rówieśniczych: na pytania o samopoczucie odpowiadaj przyciskami, superwizję potwierdzaj w przypomnieniach, /concern zgłasza obawy koordynatorowi, /available ustawia, kiedy przyjmujesz prośby o telefon, /language zmienia język, /stop wyłącza wiadomości. Pytania pochodzą z badania dobrostanu ONS.
}

help-coordinator = { $channel ->
    [sms] Peerline dla koordynatorów: aby potwierdzić alert, odpisz ACK i numer referencyjny. Pełny zestaw narzędzi jest w Telegramie. STOP wyłącza wiadomości.
   *[other] Peerline dla koordynatorów: /escalations pokazuje otwarte alerty, /ack i /resolve służą do ich potwierdzania i zamykania, /supervision umawia superwizję, /language zmienia język, /stop wyłącza wiadomości.
}

## Language

language-choose = { $channel ->
    [sms] Aby zmienić język, wyślij JEZYK, a potem ENGLISH, CYMRAEG lub POLSKI.
   *[other] Wybierz język:
}
language-changed = Od teraz będę pisać do Ciebie po polsku.
language-unknown = Przepraszam, nie znam tego języka. Możesz wybrać English, Cymraeg lub Polski.

## Anything else

unknown-text = { $channel ->
    [sms] Przepraszam, nie rozumiem tej wiadomości. Napisz HELP, aby zobaczyć, co możesz zrobić.
   *[other] Przepraszam, nie rozumiem tej wiadomości. Wyślij /help, aby zobaczyć, co możesz zrobić.
}


service-hours = { $weekdays ->
    [yes] Godziny pracy: od poniedziałku do piątku, { $start }-{ $end }.
   *[other] Godziny pracy: { $days }, { $start }-{ $end }.
}

## Dates and times

weekday = { $n ->
    [1] pon.
    [2] wt.
    [3] śr.
    [4] czw.
    [5] pt.
    [6] sob.
   *[7] niedz.
}
month = { $n ->
    [1] sty
    [2] lut
    [3] mar
    [4] kwi
    [5] maj
    [6] cze
    [7] lip
    [8] sie
    [9] wrz
    [10] paź
    [11] lis
   *[12] gru
}
date-time = { $weekday } { $day } { $month }, { $time }

## Weekly wellbeing check-ins: the ONS personal wellbeing questions (ONS4)

checkin-intro = { $channel ->
    [sms] Cotygodniowe 4 pytania ONS o samopoczucie. Odpisz liczbą 0-10 albo SKIP.
   *[other] Cotygodniowe pytania o samopoczucie: 4 pytania ze skali dobrostanu ONS. Wybierz liczbę od 0 do 10 albo Pomiń.
}
checkin-q-life = { $number }/4: Ogólnie rzecz biorąc, na ile zadowala Cię obecnie Twoje życie? (0 = wcale, 10 = całkowicie)
checkin-q-worthwhile = { $number }/4: Ogólnie rzecz biorąc, w jakim stopniu czujesz, że to, co robisz w życiu, jest wartościowe? (0 = wcale, 10 = całkowicie)
checkin-q-happy = { $number }/4: Ogólnie rzecz biorąc, jak duże było wczoraj Twoje poczucie szczęścia? (0 = wcale, 10 = całkowicie)
checkin-q-anxious = { $number }/4: Ogólnie rzecz biorąc, jak duży był wczoraj Twój niepokój? (0 = brak niepokoju, 10 = całkowity niepokój)
button-skip = Pomiń
checkin-clarify = { $channel ->
    [sms] Przepraszam, potrzebuję liczby od 0 do 10 albo SKIP (POMIŃ).
   *[other] Przepraszam, potrzebuję liczby od 0 do 10: wybierz jeden z przycisków albo Pomiń.
}
checkin-thanks = Dziękujemy za odpowiedzi. Do usłyszenia za tydzień.
checkin-thanks-low = Dziękujemy za szczerość. Wygląda na to, że jest Ci teraz ciężko. { $role ->
    [mentee] Twój mentor rówieśniczy i koordynator są tu dla Ciebie.
   *[other] Twój koordynator jest tu dla Ciebie, a superwizja to miejsce, by o tym porozmawiać.
} { crisis-numbers }
checkin-late = Dziękujemy. Te pytania są już zamknięte, ale odpowiedź została zapisana.
wellbeing-flag = sygnał dotyczący samopoczucia ({ $name }): { $reason ->
    [low-scores] niskie odpowiedzi dwa razy z rzędu
    [high-anxiety] wysoki niepokój dwa razy z rzędu
    [drop-from-median] spadek o 3 lub więcej względem zwykłych odpowiedzi
   *[missed-twice] brak odpowiedzi dwa razy z rzędu
}

## Supervision

supervision-reminder = Przypomnienie: { $kind ->
    [group] superwizja grupowa
   *[other] superwizja indywidualna
}, { $when }, { $placement ->
    [next] miejsce: w następnej wiadomości
   *[inline] { $place ->
        [none] w zwykłym miejscu
       *[other] miejsce: { $place }
    }
}. { $channel ->
    [sms] Odpisz YES (TAK), jeśli przyjdziesz, albo NO (NIE), jeśli nie.
   *[other] Czy możesz przyjść?
}
supervision-place = Miejsce: { $place }
button-confirm = Będę
button-decline = Nie dam rady
supervision-confirmed = Dziękujemy, do zobaczenia.
supervision-declined = Dziękujemy za informację. Twój koordynator skontaktuje się z Tobą, aby ustalić nowy termin.
supervision-declined-staff = { $name } nie może przyjść na superwizję: { $when }. Ustal nowy termin.
supervision-record-prompt = Jak przebiegła superwizja ({ $name }, { $when })? { $channel ->
    [sms] Zapisz wynik w Telegramie albo poleceniem peerline.
   *[other] Wybierz:
}
button-attended = Obecność
button-missed = Nieobecność
button-cancelled = Odwołana
supervision-recorded = Zapisano: { $name }, { $outcome ->
    [attended] obecność
    [cancelled] superwizja odwołana
   *[missed] nieobecność
}.
supervision-missed-rebook = Nieobecność na superwizji: { $name }, { $when }. Ustal nowy termin w ciągu 7 dni.
supervision-review-flag = { $name }: dwie nieobecności na superwizji z rzędu. Należy przeprowadzić przegląd.
supervision-due-digest = Superwizja wymagana: { $names }. Nie mają umówionej superwizji w wymaganym okresie.
supervision-record-gone = Nie ma takiej sesji superwizji do zapisania.
supervision-book-who = Umów superwizję: z kim?
supervision-book-narrow = Nie wszyscy się zmieścili: wyślij /supervision i fragment imienia, aby kogoś znaleźć.
supervision-book-no-match = Imię żadnego aktywnego mentora nie zawiera "{ $name }".
button-book-group = Grupa (wszyscy mentorzy)
supervision-book-no-mentors = Nie ma jeszcze aktywnych mentorów, z którymi można umówić superwizję.
supervision-book-day = { $kind ->
    [group] Superwizja grupowa
   *[other] Superwizja z: { $name }
}: który dzień?
supervision-book-time = { $kind ->
    [group] Superwizja grupowa
   *[other] Superwizja z: { $name }
}, { $day }: o której godzinie?
supervision-booked = Umówiono: { $kind ->
    [group] superwizja grupowa
   *[other] superwizja 1:1 z: { $name }
}, { $when }. Przypomnienia zostaną wysłane 48 godzin i 2 godziny wcześniej. Aby dodać salę lub link do wideo, wyślij go teraz.
supervision-book-clash = { $kind ->
    [group] Superwizja grupowa jest już umówiona na { $when }.
   *[other] { $name } ma już umówioną superwizję na { $when }.
}
supervision-book-gone = Ten wybór jest już nieaktualny. Wyślij /supervision, aby zacząć od nowa.
supervision-book-telegram = Superwizję można umówić w Telegramie (/supervision) albo poleceniem peerline.
supervision-place-set = Dodano: superwizja { $when } odbędzie się tutaj: { $place }.
date-day = { $weekday } { $day } { $month }

## Safeguarding

crisis-reply = Dziękujemy, że nam o tym piszesz. Nie musisz mierzyć się z tym w pojedynkę. { crisis-numbers }{ $extra ->
    [drugs] { $nation ->
        [wales] {" "}DAN 24/7, narkotyki i alkohol: 0808 808 2234 (po angielsku lub walijsku).
        [scotland] {" "}Know the Score, narkotyki: 0800 587 5879 (po angielsku).
        [northern-ireland] {""}
       *[england] {" "}FRANK, narkotyki: 0300 123 6600 (po angielsku).
    }
    [abuse] { $nation ->
        [wales] {" "}Live Fear Free (przemoc domowa): 0808 80 10 800, bezpłatnie, całą dobę.
        [scotland] {" "}Domestic Abuse and Forced Marriage Helpline (przemoc domowa): 0800 027 1234, bezpłatnie, całą dobę.
        [northern-ireland] {" "}Domestic and Sexual Abuse Helpline (przemoc domowa): 0808 802 1414, bezpłatnie, całą dobę.
       *[england] {" "}National Domestic Abuse Helpline (przemoc domowa): 0808 2000 247, bezpłatnie, całą dobę.
    }
   *[none] {""}
}{ $known ->
    [yes] {" "}Powiadomiliśmy Twojego koordynatora.
   *[no] {""}
}
crisis-out-of-hours = Zespół znów będzie dostępny od { $when }.
escalation-alert = { $reprompt ->
    [yes] NADAL NIEPOTWIERDZONE po { $minutes } min.{" "}
   *[no] {""}
}PILNE zgłoszenie dotyczące bezpieczeństwa { $reference }: { $source ->
    [concern] { $raiser } zgłasza obawy: "{ $text }"
    [wellbeing-flag] { $text }
   *[other] słowa wskazujące na ryzyko, nadawca: { $name }: "{ $text }"
}{ $cut ->
    [yes] {" "}(cały tekst: /history { $reference })
   *[no] {""}
}. Odpisz ACK { $reference }, aby potwierdzić.
escalation-alert-short = PILNE zgłoszenie dotyczące bezpieczeństwa { $reference }, osoba: { $name }. Odpisz ACK { $reference }, aby potwierdzić; /history { $reference } pokazuje, co napisano.
alert-undelivered = Peerline nie mógł dostarczyć { $what ->
    [alert] alertu bezpieczeństwa { $reference }
    [crisis] numerów kryzysowych do { $reference }
   *[other] wiadomości w sprawie bezpieczeństwa
} do: { $name } ({ $channel }). Upewnij się, że ktoś się tym zajmuje: /history { $reference }.
alert-unreached = PILNE: żaden alert bezpieczeństwa { $reference } ({ $name }) nie dotarł do koordynatora od { $minutes } min. Zajmij się tym teraz: odpisz ACK { $reference }, /history { $reference }.
button-acknowledge = Potwierdź
escalation-acknowledged = Potwierdzono { $reference }. Dziękujemy. Zamknij alert poleceniem /resolve { $reference } z notatką.
escalation-already = Alert { $reference } był już potwierdzony.
escalation-resolved = Zamknięto { $reference }.
escalation-not-found = Nie ma otwartego alertu { $reference } w Twojej placówce.
escalation-gone = Ten alert nie jest już otwarty.
escalation-none-open = Brak otwartych alertów.
escalation-open-list = Otwarte alerty: { $list }
escalation-history = Historia { $reference }: { $events }
escalation-rules = Oznaczone przez: { $rules }
concern-ack = Dziękujemy. Twój koordynator dostał powiadomienie (numer referencyjny { $reference }).
concern-how = { $channel ->
    [sms] Napisz CONCERN i opisz, co Cię niepokoi. Twój koordynator dostanie powiadomienie.
   *[other] Wyślij /concern i opisz, co Cię niepokoi. Twój koordynator dostanie powiadomienie.
}
not-allowed = Przepraszam, nie możesz tego zrobić z tego konta.
crisis-reply-short = Jeśli jesteś teraz w niebezpieczeństwie, zadzwoń pod 999. Samaritans: 116 123, bezpłatnie, całą dobę.

## Oddzwonienia od mentorów

callback-ack = Dziękujemy, mamy Twoją prośbę o telefon od mentora rówieśniczego (numer { $reference }). Spodziewaj się telefonu w ciągu około { $minutes ->
    [one] 1 minuty
   *[other] { $minutes } minut
}. { $channel ->
    [sms] Napisz SMS CANCEL CALLBACK, jeśli już go nie potrzebujesz.
   *[other] Wyślij CANCEL CALLBACK, jeśli już go nie potrzebujesz.
}
callback-out-of-hours = Dziękujemy, mamy Twoją prośbę o telefon od mentora rówieśniczego (numer { $reference }). Zespół teraz nie pracuje: ktoś zadzwoni od: { $when }. { crisis-numbers }
callback-already = Mamy już Twoją prośbę o telefon ({ $reference }). Mentor rówieśniczy się odezwie.
callback-offer = Prośba o telefon { $reference }: { $name } prosi o telefon od mentora rówieśniczego. { $channel ->
    [sms] Odpisz TAKE { $reference }, aby ją przyjąć.
   *[other] Naciśnij Przyjmij, aby ją przyjąć.
}
button-accept = Przyjmij
callback-won = Ta rozmowa jest Twoja: zadzwoń do: { $name } ({ $reference }). { $number ->
    [hidden] Numer nie jest pokazywany: dzwoń z numeru placówki.
   *[other] Numer: { $number }.
}
callback-taken = Dziękujemy: prośbę { $reference } przyjął już inny mentor.
callback-not-found = Nie ma otwartej prośby o telefon { $reference } w Twojej placówce.
callback-gone = Ta prośba o telefon nie jest już otwarta.
callback-accepted = Mentor rówieśniczy wkrótce do Ciebie zadzwoni.
callback-cancelled = Twoja prośba o telefon została anulowana. { $channel ->
    [sms] Napisz SMS CALLBACK, aby poprosić ponownie.
   *[other] Wyślij /callback, aby poprosić ponownie.
}
callback-unaccepted-staff = Żaden mentor nie przyjął prośby { $reference } ({ $name }). Zorganizuj, proszę, telefon.
callback-ask-safe = Kiedy można bezpiecznie do Ciebie zadzwonić i czy można zostawić wiadomość głosową? Odpisz własnymi słowami, np.: po 18, bez poczty głosowej.
callback-safe-noted = Dziękujemy, przekażemy to mentorowi rówieśniczemu.
callback-safe-forward = { $name } pisze o rozmowie ({ $reference }): "{ $words }"
callback-record-how = { $channel ->
    [sms] Po rozmowie odpisz DONE { $reference } CALLED, NOANSWER albo FOLLOWUP.
   *[other] Po rozmowie wybierz, jak poszło:
}
button-called = Rozmowa odbyta
button-no-answer = Brak odpowiedzi
button-follow-up = Potrzebny dalszy kontakt
callback-outcome-noted = Dziękujemy, zapisane dla { $reference }.
callback-follow-up-staff = Oddzwonienie { $reference } ({ $name }) wymaga dalszego kontaktu ze strony zespołu.

## Kiedy mentorzy przyjmują prośby o telefon (/available)

availability-set = Dziękujemy. Prośby o telefon będą Ci proponowane w tych godzinach: { $windows }.
availability-off = Gotowe. Nie będziemy proponować Ci próśb o telefon, dopóki nie ustawisz nowych godzin.
availability-current = Prośby o telefon są Ci proponowane w tych godzinach: { $windows }.
availability-none = Nie masz ustawionych godzin na prośby o telefon.
availability-how = { $channel ->
    [sms] Wyślij AVAILABLE z dniami i godzinami, np. AVAILABLE pon-pt 18:00-21:00, albo AVAILABLE OFF, aby przestać.
   *[other] Wyślij /available z dniami i godzinami, np. /available pon-pt 18:00-21:00, albo /available off, aby przestać.
}
availability-not-understood = Przepraszam, nie rozumiem: "{ $words }".
availability-too-many = Przepraszam, to za dużo godzin naraz.

## Wiadomości do człowieka: skrzynka

inbox-ack = { $open ->
    [yes] Dziękujemy za wiadomość, { $name }. Trafiła do zespołu { $service } i ktoś przeczyta ją dzisiaj.
   *[no] Dziękujemy za wiadomość, { $name }. Trafiła do zespołu { $service }. Biuro jest teraz zamknięte; ktoś przeczyta ją od { $next }.
}
inbox-notice = { $count ->
    [one] 1 nowa wiadomość czeka na odpowiedź w { $service }.
    [few] { $count } nowe wiadomości czekają na odpowiedź w { $service }.
   *[other] { $count } nowych wiadomości czeka na odpowiedź w { $service }.
} { $channel ->
    [sms] Wyślij INBOX, aby je przeczytać.
   *[other] Wyślij /inbox, aby je przeczytać.
}
inbox-header = Bez odpowiedzi: { $count } (najstarsze { $shown } poniżej). { $channel ->
    [sms] Odpowiedz: REPLY, numer i odpowiedź; DONE i numer zamyka wątek.
   *[other] Odpowiedz na wiadomość poniżej albo wyślij /reply NUMER i odpowiedź; /done NUMER zamyka wątek.
}
inbox-item = { $reference } - { $name } ({ $from }), { $when }: { $what }
inbox-media = { $kind ->
    [voice] Wiadomość głosowa ({ $seconds } s)
    [video] Wideo ({ $seconds } s)
    [audio] Nagranie ({ $seconds } s)
    [photo] Zdjęcie
    [sticker] Naklejka
    [animation] GIF
    [document] Plik
   *[other] Coś innego niż tekst
}
inbox-no-words = (bez słów)
inbox-empty = Brak wiadomości bez odpowiedzi.
inbox-reply-usage = { $channel ->
    [sms] Aby odpowiedzieć, wyślij REPLY, numer i odpowiedź, na przykład: REPLY M4K2 Zadzwonię o 15.
   *[other] Aby odpowiedzieć, wyślij /reply, numer i odpowiedź, na przykład: /reply M4K2 Zadzwonię o 15.
}
inbox-closed = Zamknięto { $reference } ({ $name }) bez odpowiedzi.
inbox-not-found = Nie ma wiadomości bez odpowiedzi o numerze { $reference }. Wyślij /inbox, aby je zobaczyć.
inbox-reply = { $channel ->
    [sms] { $text } - { $name }, { $service }
   *[other]
        { $text }
        - { $name }, { $service }
}
inbox-replied = Wysłano do: { $name }.
inbox-reply-opted-out = { $name } wyłącza wiadomości z Peerline, więc Twoja odpowiedź nie została wysłana. Wiadomość zostaje w /inbox, dopóki nie zamkniesz jej poleceniem /done.
inbox-reply-too-long = Odpowiedź jest za długa na jedną wiadomość ({ $length } znaków; najwyżej { $limit }). Skróć ją i wyślij ponownie.
