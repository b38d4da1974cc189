/**
 * The dashboard's GraphQL reads, as the benchmark sends them: the overview
 * page (KPI cards with the previous period, calls per day, leaderboard with
 * sparklines, lead temperature, CTA funnel, call sources, weekday x hour
 * heatmap, freshness, hot leads to call back) in one query, and the agent page.
 */

export const OVERVIEW_QUERY = /* GraphQL */ `
  query Overview($fromDate: Date, $toDate: Date) {
    dashboardOverview(fromDate: $fromDate, toDate: $toDate) {
      summary {
        fromDate toDate previousFromDate previousToDate timezone creditsAvailable
        current { calls successfulCalls answerRate successRate averageDurationSeconds leads hotLeads conversionRate ctaRate creditsUsed }
        change { calls answerRate successRate averageDurationSeconds leads hotLeads conversionRate ctaRate creditsUsed }
        leadTemperature { key label value share }
        ctaFunnel { key label value share }
        callSources { key label value share }
      }
      daily { periodStart figures { calls successfulCalls unansweredCalls failedCalls talkSeconds } }
      leaderboard {
        agentId name isActive rank dailyCalls
        figures { calls successfulCalls successRate leads qualifiedLeads conversionRate averageDurationSeconds }
      }
      hourly { isoWeekday hour calls answerRate }
      freshness { serverTime rollupsCompactedAt kpiSummaryRefreshedAt latestCallAt pendingRollupChanges }
      unreadNotifications
      notifications { leadAnalyticId phoneNumber extractedName leadStatusTag totalScore smartNotification analyzedAt }
    }
  }
`;

export const AGENT_QUERY = /* GraphQL */ `
  query AgentPage($agentId: UUID!, $fromDate: Date, $toDate: Date) {
    agentOverview(agentId: $agentId, fromDate: $fromDate, toDate: $toDate) {
      summary {
        current { calls successfulCalls answerRate successRate averageDurationSeconds leads qualifiedLeads conversionRate }
        change { calls successRate leads conversionRate }
      }
      daily { periodStart figures { calls successfulCalls leads } }
      targets { periodType periodStart targetCalls actualCalls callsAchievement targetQualifiedLeads actualQualifiedLeads }
      recentCalls { callId startedAt status outcome durationSeconds phoneNumber hasTranscript totalScore leadStatusTag }
    }
  }
`;
