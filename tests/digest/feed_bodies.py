"""Realistic response bodies of the three literature APIs (shapes as the services send them)."""

ARXIV_ATOM = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query?search_query%3Dall%3Asleep%20AND%20all%3Aspindles&amp;id_list%3D&amp;start%3D0&amp;max_results%3D15" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: search_query=all:sleep AND all:spindles</title>
  <id>http://arxiv.org/api/cHxbiOdZaP56ODnBPIenZhzg5f8</id>
  <updated>2025-03-02T00:00:00-05:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">2</opensearch:totalResults>
  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:startIndex>
  <opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">15</opensearch:itemsPerPage>
  <entry>
    <id>http://arxiv.org/abs/2502.17001v2</id>
    <updated>2025-03-01T10:12:44Z</updated>
    <published>2025-02-27T18:03:11Z</published>
    <title>Sleep spindle density predicts overnight memory consolidation
  in older adults</title>
    <summary>  We recorded high-density EEG in 48 older adults across two nights. Spindle
density during N2 sleep correlated with overnight retention of word pairs
(r = 0.41, p = 0.004), and the correlation held after controlling for total
sleep time.
</summary>
    <author><name>Ana Souza</name></author>
    <author><name>Kim Lee</name></author>
    <arxiv:doi xmlns:arxiv="http://arxiv.org/schemas/atom">10.1000/spindles.2025.1</arxiv:doi>
    <link title="doi" href="http://dx.doi.org/10.1000/spindles.2025.1" rel="related"/>
    <arxiv:comment xmlns:arxiv="http://arxiv.org/schemas/atom">12 pages, 4 figures</arxiv:comment>
    <link href="http://arxiv.org/abs/2502.17001v2" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/2502.17001v2" rel="related" type="application/pdf"/>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="q-bio.NC" scheme="http://arxiv.org/schemas/atom"/>
    <category term="q-bio.NC" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
  <entry>
    <id>http://arxiv.org/abs/2301.00042v1</id>
    <updated>2023-01-02T09:00:00Z</updated>
    <published>2023-01-02T09:00:00Z</published>
    <title>An old preprint about spindles and sleep</title>
    <summary>Old news.</summary>
    <author><name>Old Author</name></author>
    <link href="http://arxiv.org/abs/2301.00042v1" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/2301.00042v1" rel="related" type="application/pdf"/>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="q-bio.NC" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
</feed>
"""

ESEARCH_JSON = {
    "header": {"type": "esearch", "version": "0.3"},
    "esearchresult": {
        "count": "2",
        "retmax": "2",
        "retstart": "0",
        "idlist": ["39990001", "39990002"],
        "translationset": [],
        "querytranslation": '"hand hygiene"[MeSH Terms] AND intervention[All Fields]',
    },
}

EFETCH_XML = """<?xml version="1.0" ?>
<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">
<PubmedArticleSet>
<PubmedArticle>
  <MedlineCitation Status="PubMed-not-MEDLINE" Owner="NLM">
    <PMID Version="1">39990001</PMID>
    <Article PubModel="Electronic">
      <Journal>
        <ISSN IssnType="Electronic">1471-2458</ISSN>
        <JournalIssue CitedMedium="Internet"><Volume>25</Volume>
          <PubDate><Year>2025</Year><Month>Feb</Month></PubDate></JournalIssue>
        <Title>BMC public health</Title>
      </Journal>
      <ArticleTitle>Hand hygiene <i>reminders</i> in student residences: a cluster trial.</ArticleTitle>
      <Abstract>
        <AbstractText Label="BACKGROUND" NlmCategory="BACKGROUND">Hand hygiene lapses spread infections.</AbstractText>
        <AbstractText Label="RESULTS" NlmCategory="RESULTS">Reminders raised hand washing from 38% to 51% (OR = 1.7, 95% CI 1.2 to 2.4).</AbstractText>
      </Abstract>
      <AuthorList CompleteYN="Y">
        <Author ValidYN="Y"><LastName>Meier</LastName><ForeName>Jana</ForeName><Initials>J</Initials></Author>
        <Author ValidYN="Y"><CollectiveName>Residence Hygiene Group</CollectiveName></Author>
      </AuthorList>
      <ArticleDate DateType="Electronic"><Year>2025</Year><Month>02</Month><Day>26</Day></ArticleDate>
    </Article>
  </MedlineCitation>
  <PubmedData>
    <ArticleIdList>
      <ArticleId IdType="pubmed">39990001</ArticleId>
      <ArticleId IdType="doi">10.1186/s12889-025-00001-x</ArticleId>
    </ArticleIdList>
  </PubmedData>
</PubmedArticle>
<PubmedArticle>
  <MedlineCitation Status="In-Data-Review" Owner="NLM">
    <PMID Version="1">39990002</PMID>
    <Article PubModel="Print">
      <Journal><JournalIssue CitedMedium="Print"><PubDate><Year>2025</Year><Month>Mar</Month></PubDate></JournalIssue>
        <Title>Infection control and hospital epidemiology</Title></Journal>
      <ArticleTitle>Alcohol rub compliance on night shifts.</ArticleTitle>
      <Abstract><AbstractText>Compliance was lower at night than by day in 12 wards.</AbstractText></Abstract>
      <AuthorList><Author><LastName>Okafor</LastName><Initials>C</Initials></Author></AuthorList>
    </Article>
  </MedlineCitation>
  <PubmedData><ArticleIdList><ArticleId IdType="pubmed">39990002</ArticleId></ArticleIdList></PubmedData>
</PubmedArticle>
</PubmedArticleSet>
"""


def biorxiv_record(doi: str, title: str, abstract: str, version: str = "1") -> dict[str, str]:
    return {
        "doi": doi,
        "title": title,
        "authors": "Rossi, M.; Chen, L.; Okoro, T.",
        "author_corresponding": "Marco Rossi",
        "author_corresponding_institution": "University of Somewhere",
        "date": "2025-02-28",
        "version": version,
        "type": "new results",
        "license": "cc_by",
        "category": "neuroscience",
        "jatsxml": f"https://www.biorxiv.org/content/early/2025/02/28/{doi}.source.xml",
        "abstract": abstract,
        "published": "NA",
        "server": "bioRxiv",
    }


BIORXIV_JSON = {
    "messages": [
        {
            "status": "ok",
            "interval": "2025-02-23:2025-03-02",
            "cursor": 0,
            "count": 3,
            "count_new_papers": "3",
            "total": "3",
        }
    ],
    "collection": [
        biorxiv_record(
            "10.1101/2025.02.25.640001",
            "Closed-loop auditory stimulation boosts sleep spindles",
            "Phase-locked tones during N2 increased spindle density and next-day memory "
            "in 30 young adults.",
        ),
        biorxiv_record(
            "10.1101/2025.02.25.640001",
            "Closed-loop auditory stimulation boosts sleep spindles and memory",
            "Revised: phase-locked tones during N2 increased spindle density and next-day "
            "memory in 30 young adults.",
            version="2",
        ),
        biorxiv_record(
            "10.1101/2025.02.26.640777",
            "Gut microbiota of zebrafish larvae",
            "Unrelated to the topic.",
        ),
    ],
}
