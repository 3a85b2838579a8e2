# Peerline: Polish (polski). Every message may be sent by SMS, so keep to plain punctuation:
# straight quotes ' and ", no dashes other than -, no ellipsis character.
# Variables: $channel is "telegram" or "sms"; $role is coordinator, deputy, mentor or mentee.
# SMS keywords, Telegram commands and phone numbers stay in English.
# Wording avoids grammatical gender of the reader (no "zapisany/zapisana" etc.).

## Shared pieces

crisis-numbers = Jeśli jesteś teraz w niebezpieczeństwie, zadzwoń pod 999. Samaritans: 116 123 (bezpłatnie, całą dobę, po angielsku). Wyślij SMS o treści SHOUT na numer 85258 (po angielsku). NHS 111, opcja 2 w sprawie zdrowia psychicznego.

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
    [sms] Dzień dobry, tu Peerline, serwis wiadomości dla mentoringu rówieśniczego. Jeśli masz kod od koordynatora, wyślij SMS o treści JOIN, a po nim kod.
   *[other] Dzień dobry, tu Peerline, serwis wiadomości dla mentoringu rówieśniczego. Jeśli masz kod od koordynatora, wyślij /start, a po nim kod.
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
    [sms] Peerline dla mentorów rówieśniczych: na pytania o samopoczucie odpowiadaj liczbą, na przypomnienia o superwizji YES lub NO, napisz CONCERN i swoją wiadomość, aby zgłosić obawy, LANGUAGE, aby zmienić język, STOP, aby wyłączyć wiadomości.
   *[other] Peerline dla mentorów rówieśniczych: na pytania o samopoczucie odpowiadaj przyciskami, superwizję potwierdzaj w przypomnieniach, /concern zgłasza obawy koordynatorowi, /language zmienia język, /stop wyłącza wiadomości.
}

help-coordinator = { $channel ->
    [sms] Peerline dla koordynatorów: aby potwierdzić alert, odpisz ACK i numer referencyjny. Pełny zestaw narzędzi jest w Telegramie. STOP wyłącza wiadomości.
   *[other] Peerline dla koordynatorów: /escalations pokazuje otwarte alerty, /ack i /resolve służą do ich potwierdzania i zamykania, /language zmienia język, /stop wyłącza wiadomości.
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

callback-recorded = Dziękujemy, mamy Twoją prośbę o telefon od mentora rówieśniczego. Ktoś z { $service } skontaktuje się z Tobą.

service-hours = { $days ->
    [Mon-Fri] Godziny pracy: od poniedziałku do piątku, { $start }-{ $end }.
   *[other] Godziny pracy: { $days }, { $start }-{ $end }.
}
