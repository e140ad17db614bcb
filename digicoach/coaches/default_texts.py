"""Version 1 of the public texts (privacy notice, volunteer information note, accessibility
statement) in Dutch, French and English, for a new installation and the demo.

They are a sound starting point for a Flemish local government, not legal advice: each
municipality adds its own contact details and has its data protection officer check them.
Plain text; a blank line separates paragraphs.
"""

# Long lines on purpose: a line break inside a paragraph would show as a break on the page.
# French puts a non-breaking space (U+00A0) before : ; ? ! so the sign never starts a line.
# ruff: noqa: E501, RUF001

from __future__ import annotations

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "privacy": {
        "nl": (
            "Privacyverklaring",
            """Wij gaan zorgvuldig om met uw gegevens. Hier leest u welke gegevens we bijhouden, waarom, hoe lang, en wat uw rechten zijn.

Wie is verantwoordelijk?
Het lokaal bestuur (de gemeente) dat het programma digitale inclusie organiseert, is verantwoordelijk voor de gegevens. Werken meerdere gemeenten samen, dan zijn ze samen verantwoordelijk.

Maakt u een afspraak voor hulp?
We bewaren uw voornaam, uw gsm-nummer of e-mailadres, de taal en het onderwerp. Zo kunnen we uw afspraak bevestigen en u eraan herinneren. Kort na de afspraak wissen we uw gsm-nummer en e-mailadres. Wat een digicoach voor u intypt (wachtwoorden, codes), bewaren we nooit.

Ben je digicoach?
We bewaren je naam, e-mailadres, telefoonnummer, gemeente en wijken, talen, onderwerpen, wanneer je meestal vrij bent, je motivatie, hoe je ons leerde kennen, je opleiding en je shiften. Van de screening noteren we alleen dát we je identiteitskaart en je uittreksel uit het strafregister gezien hebben, wanneer en door wie. We maken geen kopie en noteren geen nummers. We bewaren je gegevens zolang je digicoach bent. Stop je, dan kun je ze laten wissen.

Waarom?
Om het vrijwilligerswerk te organiseren en burgers te helpen: een taak van algemeen belang van de gemeente. Om te tellen hoeveel mensen geholpen zijn, gebruiken we alleen anonieme cijfers.

Wie ziet de gegevens?
Alleen de coördinatoren van de gemeente en de beheerders van het platform. We verkopen of delen geen gegevens.

Uw rechten
U mag uw gegevens inkijken, verbeteren, downloaden en laten wissen. U mag ook bezwaar maken. Als digicoach doe je dat zelf op 'Mijn digicoachpagina'. Vragen? Neem contact op met de functionaris voor gegevensbescherming van de gemeente. Bent u niet tevreden? Dan kunt u klacht indienen bij de Vlaamse Toezichtcommissie voor de verwerking van persoonsgegevens.""",
        ),
        "fr": (
            "Déclaration de confidentialité",
            """Nous traitons vos données avec soin. Vous lisez ici quelles données nous gardons, pourquoi, combien de temps, et quels sont vos droits.

Qui est responsable ?
L'administration locale (la commune) qui organise le programme d'inclusion numérique est responsable de vos données. Si plusieurs communes collaborent, elles sont responsables ensemble.

Quelles données gardons-nous ?
Des digicoachs : nom, adresse e-mail, numéro de téléphone, commune et quartiers, langues, sujets, moments où vous êtes généralement libre, votre motivation, comment vous nous avez connus, votre formation et vos permanences. Pour la sélection, nous notons seulement que nous avons vu votre carte d'identité et votre extrait de casier judiciaire, quand et par qui. Nous ne faisons pas de copie et ne notons aucun numéro.
Des citoyens qui demandent de l'aide : un prénom, un numéro de téléphone ou une adresse e-mail pour confirmer le rendez-vous, la langue et le sujet. Ce qu'un digicoach tape pour quelqu'un (mots de passe, codes) n'est jamais gardé.

Pourquoi ?
Pour organiser le bénévolat et aider les citoyens : une mission d'intérêt public de la commune. Pour compter combien de personnes ont été aidées, nous utilisons uniquement des chiffres anonymes.

Combien de temps ?
Nous gardons les données d'un digicoach tant que vous êtes digicoach. Si vous arrêtez, vous pouvez faire effacer vos données. Les coordonnées des citoyens sont effacées peu après le rendez-vous.

Qui voit vos données ?
Uniquement les coordinateurs de votre commune et les gestionnaires de la plateforme. Nous ne vendons ni ne partageons vos données.

Vos droits
Vous pouvez consulter, corriger, télécharger et faire effacer vos données. En tant que digicoach, vous le faites vous-même sur « Ma page digicoach ». Vous pouvez aussi vous opposer au traitement. Des questions ? Contactez le délégué à la protection des données de votre commune. Si vous n'êtes pas satisfait, vous pouvez porter plainte auprès de la Vlaamse Toezichtcommissie (commission de contrôle flamande pour le traitement des données à caractère personnel).""",
        ),
        "en": (
            "Privacy notice",
            """We handle your data with care. Here you read which data we keep, why, for how long, and what your rights are.

Who is responsible?
The local government (the municipality) that runs the digital inclusion programme is responsible for your data. When several municipalities work together, they are jointly responsible.

Which data do we keep?
About digicoaches: name, e-mail address, phone number, municipality and neighbourhoods, languages, topics, when you are usually free, your motivation, how you heard of us, your training and your shifts. From the screening we only note that we saw your identity card and your certificate of good conduct, when and by whom. We make no copy and note no numbers.
About citizens who ask for help: a first name, a phone number or e-mail address to confirm the appointment, the language and the topic. What a digicoach types for someone (passwords, codes) is never kept.

Why?
To organise the volunteer work and help citizens: a task in the public interest of the municipality. To count how many people were helped, we only use anonymous figures.

For how long?
We keep a digicoach's data for as long as you are a digicoach. When you stop, you can have your data erased. Citizens' contact details are erased shortly after the appointment.

Who sees your data?
Only the coordinators of your municipality and the platform's administrators. We do not sell or share your data.

Your rights
You may see, correct, download and erase your data. As a digicoach you do this yourself on "My digicoach page". You may also object. Questions? Contact your municipality's data protection officer. If you are not satisfied, you can complain to the Flemish Supervisory Commission for the processing of personal data (Vlaamse Toezichtcommissie).""",
        ),
    },
    "volunteer-note": {
        "nl": (
            "Organisatienota voor vrijwilligers",
            """De wet van 3 juli 2005 betreffende de rechten van vrijwilligers vraagt dat we je deze informatie geven voor je begint.

Wie zijn wij?
Het programma digitale inclusie wordt georganiseerd door het lokaal bestuur (de gemeente), een publiekrechtelijke organisatie. Het doel: iedereen helpen om mee te kunnen in de digitale wereld.

Wat doe je als digicoach?
Je helpt inwoners met hun smartphone, computer, e-mail, itsme, online bankieren en overheidsdiensten, in een digipunt of bij een spreekuur. Je volgt eerst een korte opleiding.

Verzekering
Je bent tijdens je vrijwilligerswerk verzekerd voor burgerlijke aansprakelijkheid en voor lichamelijke ongevallen, ook op weg van en naar je shift.

Vergoeding
Vrijwilligerswerk is onbetaald. Je kosten (bijvoorbeeld verplaatsing) worden vergoed volgens de regeling van je gemeente, binnen de wettelijke grenzen. Vraag ernaar bij je coördinator.

Discretie
Je ziet soms persoonlijke gegevens van mensen. Je houdt die voor jezelf. Je typt nooit zelf wachtwoorden of codes in voor iemand en je noteert ze niet.

Screening
Omdat je met kwetsbare mensen werkt, vragen we een uittreksel uit het strafregister (model 2). We bekijken het en houden geen kopie bij.

Contact
Je coördinator is je aanspreekpunt. Het telefoonnummer staat onderaan elke pagina.""",
        ),
        "fr": (
            "Note d'organisation pour les bénévoles",
            """La loi du 3 juillet 2005 relative aux droits des volontaires nous demande de vous donner ces informations avant de commencer.

Qui sommes-nous ?
Le programme d'inclusion numérique est organisé par l'administration locale (la commune), une organisation de droit public. Le but : aider chacun à participer au monde numérique.

Que fait un digicoach ?
Vous aidez les habitants avec leur smartphone, ordinateur, e-mail, itsme, banque en ligne et services publics, dans un point numérique ou lors d'une permanence. Vous suivez d'abord une courte formation.

Assurance
Pendant votre bénévolat, vous êtes assuré en responsabilité civile et contre les accidents corporels, aussi sur le chemin de et vers votre permanence.

Indemnité
Le bénévolat n'est pas rémunéré. Vos frais (par exemple de déplacement) sont remboursés selon le règlement de votre commune, dans les limites légales. Demandez à votre coordinateur·rice.

Discrétion
Vous voyez parfois des données personnelles. Vous les gardez pour vous. Vous ne tapez jamais vous-même de mots de passe ou de codes pour quelqu'un et vous ne les notez pas.

Sélection
Parce que vous travaillez avec des personnes vulnérables, nous demandons un extrait de casier judiciaire (modèle 2). Nous le regardons et n'en gardons aucune copie.

Contact
Votre coordinateur·rice est votre personne de contact. Le numéro de téléphone figure en bas de chaque page.""",
        ),
        "en": (
            "Information note for volunteers",
            """The Belgian law of 3 July 2005 on the rights of volunteers asks us to give you this information before you start.

Who are we?
The digital inclusion programme is run by the local government (the municipality), a public-law organisation. The aim: to help everyone take part in the digital world.

What does a digicoach do?
You help residents with their smartphone, computer, e-mail, itsme, online banking and government services, at a digital help point or during a help session. You first follow a short training.

Insurance
During your volunteer work you are insured for civil liability and for bodily accidents, also on the way to and from your shift.

Expenses
Volunteer work is unpaid. Your costs (for example travel) are refunded under your municipality's rules, within the legal limits. Ask your coordinator.

Discretion
You sometimes see people's personal data. You keep it to yourself. You never type passwords or codes for someone yourself, and you do not write them down.

Screening
Because you work with vulnerable people, we ask for a certificate of good conduct (model 2). We look at it and keep no copy.

Contact
Your coordinator is your contact person. The phone number is at the bottom of every page.""",
        ),
    },
    "accessibility": {
        "nl": (
            "Toegankelijkheidsverklaring",
            """Het lokaal bestuur wil dat iedereen deze website kan gebruiken, ook met een schermlezer, alleen met het toetsenbord of met een vergroting. Deze verklaring volgt het Vlaamse bestuursdecreet en de Europese richtlijn 2016/2102.

Hoe toegankelijk is de website?
De website is gemaakt volgens de richtlijnen WCAG 2.1 op niveau AA. We testen elke pagina automatisch met axe en met een echte browser, en we laten mensen met een beperking meetesten.

Wat werkt nog niet goed?
Teksten die in een andere taal dan het Nederlands nog niet vertaald zijn, tonen we in het Nederlands. Meldt u een probleem, dan lossen we het zo snel mogelijk op.

Een probleem melden
Lukt iets niet? Bel ons of vraag hulp aan het onthaal van uw gemeente. Het telefoonnummer staat onderaan elke pagina. We antwoorden binnen vijf werkdagen.

Niet tevreden met ons antwoord?
Dan kunt u terecht bij de Vlaamse Ombudsdienst.""",
        ),
        "fr": (
            "Déclaration d'accessibilité",
            """L'administration locale veut que chacun puisse utiliser ce site, aussi avec un lecteur d'écran, uniquement au clavier ou avec un agrandissement. Cette déclaration suit le décret flamand sur l'administration et la directive européenne 2016/2102.

Le site est-il accessible ?
Le site est conçu selon les règles WCAG 2.1, niveau AA. Nous testons chaque page automatiquement avec axe et avec un vrai navigateur, et des personnes en situation de handicap participent aux tests.

Qu'est-ce qui ne fonctionne pas encore bien ?
Les textes qui ne sont pas encore traduits sont affichés en néerlandais. Si vous signalez un problème, nous le résolvons le plus vite possible.

Signaler un problème
Quelque chose ne marche pas ? Appelez-nous ou demandez de l'aide à l'accueil de votre commune. Le numéro figure en bas de chaque page. Nous répondons dans les cinq jours ouvrables.

Pas satisfait de notre réponse ?
Vous pouvez vous adresser au Vlaamse Ombudsdienst (médiateur flamand).""",
        ),
        "en": (
            "Accessibility statement",
            """The local government wants everyone to be able to use this website, also with a screen reader, with the keyboard only, or with magnification. This statement follows the Flemish Local Government Decree and European Directive 2016/2102.

How accessible is the website?
The website is built to WCAG 2.1 level AA. We test every page automatically with axe and in a real browser, and people with disabilities help us test.

What does not work well yet?
Texts that are not translated yet are shown in Dutch. If you report a problem, we fix it as soon as we can.

Report a problem
Something does not work? Call us or ask the front desk of your municipality for help. The phone number is at the bottom of every page. We answer within five working days.

Not happy with our answer?
You can turn to the Flemish Ombudsman (Vlaamse Ombudsdienst).""",
        ),
    },
}
