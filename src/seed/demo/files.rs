//! The data files, embedded in the binary so that the server seeds from any folder. A new
//! article file is listed here too: a test checks that this list and `demo/articles/` agree.

/// `demo/index.toml`.
pub(super) const INDEX: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/demo/index.toml"));

/// `demo/articles/<slug>.md` as `(slug, text)` for each slug, in the order given.
macro_rules! articles {
    ($($slug:literal),* $(,)?) => {
        &[$((
            $slug,
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/demo/articles/", $slug, ".md")),
        )),*]
    };
}

/// Every article, in the order the seed writes them (and so the order of their ids).
pub(super) const ARTICLES: &[(&str, &str)] = articles![
    "la-diplomatie-francaise-cherche-un-nouveau-cap",
    "partage-de-l-eau-du-fleuve-les-pays-riverains-signent-un-accord-d-etape",
    "au-sommet-de-nairobi-les-promesses-climatiques-passees-au-crible",
    "corridor-humanitaire-une-treve-fragile-sous-surveillance",
    "le-detroit-ou-transite-un-tiers-du-fret-regional-sous-haute-tension",
    "au-conseil-de-securite-la-question-des-sanctions-reste-bloquee",
    "une-frontiere-rouverte-apres-dix-ans-de-fermeture",
    "ravitailler-les-iles-isolees-le-pari-du-dirigeable",
    "talks-resume-on-a-test-moratorium",
    "aid-convoys-reach-the-northern-valleys",
    "small-island-states-are-rewriting-the-rules-of-climate-diplomacy",
    "a-bruxelles-le-budget-agricole-au-coeur-des-marchandages",
    "le-parlement-europeen-adopte-un-texte-sur-le-droit-a-la-reparation",
    "billet-de-train-unique-les-etats-membres-encore-divises",
    "eu-ministers-split-over-a-common-rail-ticket",
    "le-conseil-municipal-vote-la-gratuite-des-bus-le-samedi",
    "municipales-la-liste-citoyenne-de-villeneuve-sur-brie-fait-ses-comptes",
    "budget-participatif-212-projets-deposes-18-retenus",
    "logement-etudiant-la-proposition-de-loi-adoptee-en-premiere-lecture",
    "les-maires-ruraux-reclament-un-guichet-unique-pour-les-subventions",
    "carte-scolaire-le-calendrier-des-debats-se-precise",
    "how-a-mid-sized-french-town-made-its-buses-free-on-saturdays",
    "rural-mayors-ask-for-a-single-grants-desk",
    "l-inflation-ralentit-mais-les-prix-alimentaires-resistent",
    "dans-la-vallee-les-decolleteurs-manquent-de-bras",
    "energie-les-petites-entreprises-renegocient-leurs-contrats",
    "le-livret-d-epargne-populaire-attire-toujours-plus",
    "une-cooperative-laitiere-reprend-l-usine-qu-elle-fournissait",
    "food-prices-stay-stubborn-as-headline-inflation-cools",
    "the-cooperative-that-bought-its-own-dairy-plant",
    "small-firms-rush-to-renegotiate-energy-contracts",
    "au-festival-de-lussac-le-cinema-d-animation-se-reinvente",
    "cartes-anciennes-et-images-satellites-dialoguent-au-musee",
    "rentree-litteraire-les-premiers-romans-tiennent-la-vedette",
    "le-conservatoire-s-ouvre-aux-musiques-electroniques",
    "theatre-une-troupe-itinerante-joue-dans-les-cours-de-ferme",
    "a-small-town-animation-festival-punches-above-its-weight",
    "old-maps-meet-satellite-images-in-a-striking-exhibition",
    "debut-novels-steal-the-spotlight-this-autumn",
    "canicules-marines-les-herbiers-de-posidonie-en-premiere-ligne",
    "des-capteurs-citoyens-mesurent-la-qualite-de-l-air-rue-par-rue",
    "les-glaciers-alpins-ont-encore-recule-cet-ete",
    "sante-une-etude-suit-dix-mille-enfants-depuis-la-naissance",
    "comment-les-abeilles-sauvages-s-adaptent-a-la-ville",
    "le-zeppelin-du-musee-reprend-des-couleurs",
    "marine-heatwaves-put-seagrass-meadows-under-strain",
    "citizen-sensors-map-a-city-s-air-street-by-street",
    "wild-bees-are-finding-new-homes-in-cities",
    "tribune-rendre-aux-bibliotheques-leur-role-de-place-publique",
    "opinion-la-sobriete-n-est-pas-une-punition",
    "debat-faut-il-interdire-les-ecrans-avant-trois-ans",
    "tribune-pour-une-presse-locale-qui-ecoute-ses-lecteurs",
    "opinion-libraries-are-the-last-free-public-square",
    "opinion-local-news-needs-to-listen-before-it-speaks",
    "rugby-saint-aubin-monte-en-federale-1",
    "cyclisme-le-tour-de-la-vallee-se-court-sans-voitures-suiveuses",
    "football-feminin-les-affluences-doublent-en-deux-saisons",
    "trail-deux-mille-coureurs-sur-les-cretes-malgre-la-pluie",
    "natation-le-nouveau-bassin-olympique-divise-la-metropole",
    "women-s-football-crowds-have-doubled-in-two-seasons",
    "a-car-free-stage-race-tests-a-new-model-for-cycling",
    "trail-runners-brave-the-rain-on-the-ridges",
    "intelligence-artificielle-les-redactions-ecrivent-leurs-chartes",
    "cybersecurite-l-hopital-de-montclair-a-resiste-a-une-attaque",
    "applications-de-sante-ce-que-change-le-nouveau-reglement",
    "logiciel-libre-la-region-bascule-ses-lycees",
    "newsrooms-draft-their-own-rules-for-artificial-intelligence",
    "how-a-regional-hospital-fended-off-a-ransomware-attack",
    "a-region-moves-its-high-schools-to-open-source-software",
];
